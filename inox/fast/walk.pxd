# C types for the names of walk.py, read by Cython alone when it compiles that file
# (tools/cython.bzl); Python runs walk.py as it is. Nothing here changes what the code does
# with what the walks make (records in tuples, leaves in lists, classes in records): it
# tells Cython which names hold a list, a dict, a set or a type, so that their operations are
# compiled to the C API's calls, and which module names are constants, kept in C variables
# instead of being looked up in the module's dict at every use.
import cython

cdef object _NAMESPACE, _PARAMETER, _SCOPE, _REFERENCE, _LIST, _TUPLE, _DICT, _LEAF, _STATIC
cdef object _STATIC_WRAPPER, _STATIC_RECORD, _LEAVE, _LEAVE_SCOPE
cdef object _LEAF_RECORD, _LEAVE_NODE, _LEAVE_A_SCOPE, _set_tag, _set_value
cdef object _PUSH_LEAF, _PUSH_VALUE, _BUILD_NAMESPACE, _BUILD_FROM_LEAVES, _BUILD_DICT, _BUILD_LIST, _BUILD_TUPLE
cdef object _NEW_REFERENCE, _SET_REFERENCE, _PUSH_REFERENCE, _PUSH_REFERENCES, _BUILD_UNSCOPED

@cython.final
cdef class _Records:
    cdef object expected
    cdef tuple kept
    cdef Py_ssize_t count
    cdef list made
    @cython.locals(made=list, count=cython.Py_ssize_t)
    cpdef add(self, tuple record)
    cpdef object structure(self, object num_leaves)

@cython.locals(
    leaves=list, stack=list, active=set, tables=list, pruned=dict, claims=set, codes=dict,
    known_records=dict, value_records=dict, class_records=dict, tags=dict, attributes=dict, inner=dict, names=tuple, record=tuple, cls=type,
    last_class=type,
)
cpdef list _walk(object root, _Records records)

@cython.locals(
    stack=list, shared=dict, codes=dict, attributes=dict, position=cython.Py_ssize_t, cls=type, last_class=type,
)
cpdef object _fold(tuple records, tuple leaves)

@cython.locals(
    codes=tuple, operands=tuple, i=cython.Py_ssize_t, run=list, stack=list, references=list, names=tuple, cls=type, position=cython.Py_ssize_t,
    arity=cython.Py_ssize_t, slot=cython.Py_ssize_t, children=list, top=cython.Py_ssize_t, depth=cython.Py_ssize_t,
    index=cython.Py_ssize_t,
)
cpdef object _run(tuple plan, tuple leaves)

@cython.locals(records=dict, record=tuple, aux=tuple)
cpdef tuple _container_record(type cls, list keys, object arity)

@cython.locals(scopes=dict, tags=dict)
cpdef dict _tags_of(object scope)

@cython.locals(kept=tuple, record=tuple, aux=tuple)
cpdef tuple _reference_record(dict tags, type cls, object tag, object scope, int arity)

@cython.locals(records=dict, kept=tuple)
cpdef tuple _static_record(type cls, object x)

@cython.locals(i=cython.Py_ssize_t)
cpdef bint _same_items(tuple kept, list made)

@cython.locals(structures=dict, kept=object)
cpdef object _structure_of(list records, object num_leaves)

cpdef bint _holds(dict attributes, tuple names)
