"""Amazon ECS as the course needs it: task definitions checked with ECS's own errors, the launch
phase (the ECS agent wearing the task execution role), the run phase (the app wearing the task
role), plans of what a task will ask for, and ECS's error texts. It builds on :mod:`ecslab.cloud`
(the ``World`` it is given) and knows nothing of the lab or the course above it."""
