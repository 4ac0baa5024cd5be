"""What a learner looks at: diagrams (graphviz), tables (pandas) and the role workbench
(ipywidgets), all computed from the lab's trace and state. ``show`` reads the simulation; it never
changes how it decides.

- :mod:`ecslab.show.diagram` — who called what in each phase, and the text equivalent
- :mod:`ecslab.show.views` — tasks, the trace, roles and plans that draw themselves
- :mod:`ecslab.show.tables` — the trace as tables, one event as CloudTrail JSON
- :mod:`ecslab.show.cards` — a role's card: trust, policies, how much each grants
"""
