"""Unit paths: how "this unit and every unit below it" becomes one range of an ordinary index."""

from django.db.models import Q

# Each unit's path is its parent's path plus its own id as a fixed-width run of digits, so
# "every unit under X" is one range scan on an ordinary B-tree index:
#   X.path <= path < the path of X's next possible sibling.
# Paths hold digits only, which sort the same under every collation (PostgreSQL's locale
# collations ignore punctuation, so a separator or an end marker would not be safe there).
#
# The limits this gives (unit_create refuses a unit beyond them with a ValidationError):
# - depth: a 255-character column holds 255 // 8 = 31 segments, so a tree is at most 31 levels deep
#   (depth 0 to 30; province > city > county > township > village uses 5);
# - ids: a segment holds 8 digits, so unit ids run up to 99,999,999; a longer id would break the
#   fixed width every subtree range relies on.
PATH_SEGMENT_WIDTH = 8
PATH_MAX_LENGTH = 255
MAX_UNIT_LEVELS = PATH_MAX_LENGTH // PATH_SEGMENT_WIDTH
MAX_UNIT_ID = 10**PATH_SEGMENT_WIDTH - 1


def path_upper_bound(path: str) -> str:
    """The smallest path after every path of the subtree rooted at `path`."""
    return f"{path[:-PATH_SEGMENT_WIDTH]}{int(path[-PATH_SEGMENT_WIDTH:]) + 1:0{PATH_SEGMENT_WIDTH}d}"


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose `field` (a unit path) lies in the subtree rooted at `path`."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})
