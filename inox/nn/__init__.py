r"""Neural network modules."""

from .activation import *
from .linear import *
from .module import *
from .share import *
from .state import *
