"""The commands of ``carescale``, in the order of ``carescale --help``: for each, its help and
the command modules that register it (:class:`carescale.cli.apps.LazyGroup` imports them when
the command runs). Generated from the command modules themselves; after adding or changing a
command or its help, regenerate it with::

    PYTHONPATH=src .venv/bin/python -m carescale.cli.apps

``tests/test_startup.py`` fails, saying so, when this file is out of date.
"""

from __future__ import annotations

from typing import Any

#: The command modules, in the order they register their commands (the order of ``--help``).
MODULES = ("run", "appraise", "cash", "uncertainty", "national", "catalogue", "areas", "data", "evidence",
           "serve", "scenario", "optimise", "logic_models", "plans", "report", "users", "conversation")


#: Generated: do not edit by hand (see the module's docstring).
COMMANDS: dict[str, dict[str, Any]] = {'run': {'modules': ('run',),
         'help': "Annual costs and savings by payer at full scale, like the paper's summary table.",
         'short_help': None,
         'hidden': False,
         'deprecated': False,
         'rich_help_panel': None},
 'parameters': {'modules': ('run',),
                'help': 'List every number a run uses, by path, with its value, unit and status (and, for a '
                        'figure\n'
                        'changed by an override, its evidence value and the note).',
                'short_help': None,
                'hidden': False,
                'deprecated': False,
                'rich_help_panel': None},
 'validate': {'modules': ('run',),
              'help': "Check intervention, case-study, area profile or unit-cost YAML files; prints 'ok' for "
                      'each valid file.',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'appraise': {'modules': ('appraise',),
              'help': 'Costs, savings, NPV, ROI and break-even over time, with set-up and ramp-up.',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'cash': {'modules': ('cash',),
          'help': 'The appraisal in cash by financial year and payer: inflation, cohort growth, cashable '
                  'and\n'
                  "non-cashable savings apart, against the council's adult social care budget.",
          'short_help': None,
          'hidden': False,
          'deprecated': False,
          'rich_help_panel': None},
 'uncertainty': {'modules': ('uncertainty',),
                 'help': 'How sure are the savings: Monte Carlo, tornado, switching values and break-even '
                         'targets.',
                 'short_help': None,
                 'hidden': False,
                 'deprecated': False,
                 'rich_help_panel': None},
 'national': {'modules': ('national',),
              'help': "Every English council with adult social care responsibilities: the paper's portfolio "
                      'scaled\n'
                      'to each (its built-in profile from official figures, or the profile you imported for '
                      'it), and\n'
                      'the England total, with how many figures came from which source and how many were '
                      'estimated.\n'
                      "With --draws, the probabilistic case: the distribution of each council's and "
                      "England's net\n"
                      'saving and NPV.',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'serve': {'modules': ('serve',),
           'help': 'Start the web app on the Birmingham default and print the address to open.',
           'short_help': None,
           'hidden': False,
           'deprecated': False,
           'rich_help_panel': None},
 'optimise': {'modules': ('optimise',),
              'help': 'Which models, at what scale, for the money and staff you have (a MILP solved with '
                      'HiGHS).',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'report': {'modules': ('report',),
            'help': 'A business case: PDF or HTML for the board, a live Excel model for finance, Markdown '
                    'for a committee paper.',
            'short_help': None,
            'hidden': False,
            'deprecated': False,
            'rich_help_panel': None},
 'interventions': {'modules': ('catalogue',),
                   'help': 'The evidence library of care models.',
                   'short_help': None,
                   'hidden': False,
                   'deprecated': False,
                   'rich_help_panel': None},
 'areas': {'modules': ('catalogue', 'areas'),
           'help': 'Area profiles: councils and source sites.',
           'short_help': None,
           'hidden': False,
           'deprecated': False,
           'rich_help_panel': None},
 'evidence': {'modules': ('evidence',),
              'help': 'The evidence base: every care model and case study in the sources, graded and '
                      'searchable.',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'data': {'modules': ('data',),
          'help': 'Official data behind the built-in council profiles: rebuild it, list its series.',
          'short_help': None,
          'hidden': False,
          'deprecated': False,
          'rich_help_panel': None},
 'scenario': {'modules': ('scenario',),
              'help': 'Scenario documents: one file holding everything a result depends on.',
              'short_help': None,
              'hidden': False,
              'deprecated': False,
              'rich_help_panel': None},
 'logic-model': {'modules': ('logic_models',),
                 'help': 'Logic models for new services (SCIE Appendix B): write, check and run one.',
                 'short_help': None,
                 'hidden': False,
                 'deprecated': False,
                 'rich_help_panel': None},
 'plans': {'modules': ('plans',),
           'help': 'Investment plans: a model in an area with budget, phases, targets and funding.',
           'short_help': None,
           'hidden': False,
           'deprecated': False,
           'rich_help_panel': None},
 'reviews': {'modules': ('plans',),
             'help': 'Reviews of a plan against real outcomes, each with a recommendation.',
             'short_help': None,
             'hidden': False,
             'deprecated': False,
             'rich_help_panel': None},
 'users': {'modules': ('users',),
           'help': 'Accounts: create the first administrator, list users, reset a password, check single '
                   'sign-on.',
           'short_help': None,
           'hidden': False,
           'deprecated': False,
           'rich_help_panel': None},
 'conversation': {'modules': ('conversation',),
                  'help': 'Local conversations: the local picture, proposals, responses, the report and the '
                          'public plan.',
                  'short_help': None,
                  'hidden': False,
                  'deprecated': False,
                  'rich_help_panel': None}}
