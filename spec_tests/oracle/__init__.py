r"""The oracle: what flattening a graph must give (:mod:`.model`), the live objects built
from a graph (:mod:`.materialize`), and the checks of live trees and errors against the
model (:mod:`.compare`)."""
