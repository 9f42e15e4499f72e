"""Loading definitions from YAML: the evidence library, area profiles, overlaps and sources.

Files are read with a strict YAML loader (duplicate keys are an error), validated into the frozen
pydantic models of :mod:`carescale.schema`, then checked against each other (every reference
names a known document, every cohort and spend line is in the vocabulary). Any problem becomes a
one-line :class:`~carescale.errors.InputFileError` naming the file, the field, the value and what
is valid.

This package is split by concern; this module keeps every name it had as one file:

* :mod:`.core`: the :class:`Library` (look-ups, cross-checks, copies with one more definition);
* :mod:`.checks`: the figure check (every published figure is in its quote) and case studies;
* :mod:`.load`: a whole library from a folder, and the packaged library (cached);
* :mod:`.user`: the user's saved area profiles and :func:`default_library`;
* :mod:`.files`: one user file at a time (area, intervention, case study, ``validate``);
* :mod:`.catalogue`: the catalogue as JSON-able rows.

Below it: :mod:`carescale.io.yaml` (the strict YAML reader), :mod:`carescale.io.messages`
(one-line messages, models read from files), :mod:`carescale.schema.walk` (every quantity or
reference inside a model).
"""

from __future__ import annotations

from ..errors import InputFileError, ModelError, SettingsError, UnknownIdError, expect
from ..io.messages import format_loc, format_validation_error, load_model, parse_model
from ..io.lazy import lazy_names
from ..io.paths import DATA_DIR, display_path
from ..schema import (
    Area,
    Intervention,
    OverlapSet,
    PortfolioSet,
    Quantity,
    Reference,
    SourceSet,
    Vocabulary,
)
from ..schema.case_study import CaseStudy
from ..schema.walk import iter_instances, iter_quantities, iter_references
from .core import Library, check_id_list
from .load import load_area_yaml, load_library, packaged_library
from .user import (
    _last_broken,
    _library_with_user_areas,
    _user_area_files,
    clear_library_cache,
    default_library,
    take_broken_area_notices,
    user_areas_dir,
    user_home,
)
from .files import (
    AREA_FILE_READERS,
    load_area_file,
    load_case_study_file,
    load_intervention_file,
    register_area_file_reader,
    validate_file,
)
from .checks import check_case_study, figure_in_quote, figure_problems, numbers_in

# The strict YAML reader's names load PyYAML, which a run from the disk cache never needs: each
# is loaded from carescale.io.yaml the first time it is asked for (issue 25: start-up).
__getattr__, __dir__ = lazy_names(__name__, {name: "..io.yaml" for name in (
    "_BOOL",
    "_BOOL_TAG",
    "_EXPONENT_FLOAT",
    "_FLOAT_TAG",
    "_KEY_TYPES",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "YAMLShapeError",
    "_children",
    "_construct_document",
    "_construct_mapping",
    "_FastStrictLoader",
    "_StrictLoader",
    "check_node_graph",
    "parse_yaml_text",
    "read_user_text",
    "read_yaml",
    "text_nesting_bound",
)})

__all__ = [
    "AREA_FILE_READERS",
    "DATA_DIR",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "Library",
    "YAMLShapeError",
    "check_case_study",
    "check_id_list",
    "check_node_graph",
    "clear_library_cache",
    "default_library",
    "display_path",
    "figure_in_quote",
    "figure_problems",
    "format_loc",
    "format_validation_error",
    "iter_instances",
    "iter_quantities",
    "iter_references",
    "load_area_file",
    "load_area_yaml",
    "load_case_study_file",
    "load_intervention_file",
    "load_library",
    "load_model",
    "numbers_in",
    "packaged_library",
    "parse_model",
    "parse_yaml_text",
    "read_user_text",
    "read_yaml",
    "register_area_file_reader",
    "take_broken_area_notices",
    "text_nesting_bound",
    "user_areas_dir",
    "user_home",
    "validate_file",
]
