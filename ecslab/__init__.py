"""ecslab: see which IAM role Amazon ECS uses when, in a simulated AWS account.

The task execution role is used by the ECS agent while it launches a task; the task role is used
by the application inside the container. ecslab lets a learner watch both happen.
"""

__version__ = "0.1.0"
