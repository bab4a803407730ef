r"""The fast implementation: the reference's classes, flattened for JAX by a second walk.

:mod:`inox.tree.walk` is the readable walk that mirrors SPEC.md. :mod:`inox.fast.walk`
makes the same structures faster, for trees of the classes of :mod:`inox.fast.nn`
(subclasses of the reference's, with its API); it hands every other tree, and every
error, to the reference walk. :mod:`inox.fast.partition` partitions those trees by
reading the keys and groups of their leaves from the fast walk's structures. A user
selects it by importing the classes from here: ``from inox.fast import nn`` in place of
``from inox import nn``. The conformance suite judges it as an implementation of its own
(``--impl=fast``).
"""

__all__ = ['nn', 'partition', 'walk']

from . import nn, partition, walk
