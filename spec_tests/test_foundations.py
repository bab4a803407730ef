r"""The foundations of SPEC.md (its section "Foundations"), each checked alone on a graph
built once or twice: TREE-DEFINITION and TREE-ROUNDTRIP. The rules that build on them are
observed through them, so these checks run first (see :mod:`spec_tests.runner.plugin`) and
say which step broke, with nothing else in the way."""

import contextlib

import jax

from .graphs import sharing_graphs
from .graphs.examples import ACYCLIC, EVERY_KIND
from .oracle.materialize import materialize
from .runner.harness import prop

any_graphs = sharing_graphs()


@contextlib.contextmanager
def _step(check: str):
    r"""Makes an error raised inside ``check`` (not a failed assertion, which says what
    it checked) fail as that check, so that its message names the step, not only the error."""

    try:
        yield
    except AssertionError:
        raise
    except Exception as error:
        raise AssertionError(f'{check} raised {type(error).__name__}: {error}') from error


@prop('TREE-DEFINITION', any_graphs, ci=30, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_one_graph_built_twice_gives_equal_definitions(impl, graph):
    first, second = materialize(graph, impl).root, materialize(graph, impl).root
    with _step('tree_structure of one graph built twice, compared and hashed'):
        ta, tb = jax.tree_util.tree_structure(first), jax.tree_util.tree_structure(second)
        assert ta == tb, f'tree_structure of one graph built twice: unequal definitions\n{ta}\n--- and ---\n{tb}'
        assert hash(ta) == hash(tb), 'tree_structure of one graph built twice: equal definitions, unequal hashes'
    with _step('the static definitions of partition of one graph built twice, compared and hashed'):
        sa, sb = impl.partition(first)[0], impl.partition(second)[0]
        assert sa == sb, 'partition of one graph built twice: unequal static definitions'
        assert hash(sa) == hash(sb), 'partition of one graph built twice: equal static definitions, unequal hashes'


@prop('TREE-ROUNDTRIP', any_graphs, ci=30, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_unflatten_gives_back_the_very_leaves(impl, graph):
    root = materialize(graph, impl).root
    with _step('flatten, tree_unflatten, then flatten again of one tree'):
        with_paths, treedef = jax.tree_util.tree_flatten_with_path(root)
        leaves = [leaf for _, leaf in with_paths]
        again, treedef_again = jax.tree_util.tree_flatten(jax.tree_util.tree_unflatten(treedef, leaves))
    assert len(again) == len(leaves), (
        f'flatten of tree_unflatten(flatten(tree)) gave {len(again)} leaves, flatten of the tree {len(leaves)}'
    )
    paths = [jax.tree_util.keystr(path) for path, _ in with_paths]
    copied = [path for path, x, y in zip(paths, again, leaves, strict=True) if x is not y]
    assert not copied, f'tree_unflatten put other objects than the leaves given at {copied}'
    assert treedef_again == treedef, f'flatten of tree_unflatten(flatten(tree)): another definition, {treedef_again}'
