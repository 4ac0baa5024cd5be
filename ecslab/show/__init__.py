"""What a learner looks at: diagrams (graphviz), tables (pandas), role cards and least-privilege
suggestions, all computed from the simulation's trace and state. ``show`` reads the simulation; it
never changes how it decides (the role workbench, which drives a lab, is in :mod:`ecslab.coach`).

- :mod:`ecslab.show.diagram` — who called what in each phase, and the text equivalent
- :mod:`ecslab.show.views` — tasks, the trace, roles and plans that draw themselves
- :mod:`ecslab.show.tables` — the trace as tables, one event as CloudTrail JSON
- :mod:`ecslab.show.cards` — a role's card: trust, policies, how much each grants
- :mod:`ecslab.show.least` — the smallest policy allowing what a role did, beside what it has
"""
