"""Terraform in and out: apply a learner's Terraform to a lab, and write a lab's roles as Terraform.

``load_terraform(lab, source)`` reads a .tf file, a directory of .tf files (not its
subdirectories, as Terraform reads a module) or HCL text, and applies the ECS/IAM part of it to
the lab **as the learner**, through the same gate and IAM checks as every other call::

    result = load_terraform(lab, "infra/")   # the article's two roles and four attachments
    print(result.describe())
    lab.run_task()                            # ... and see what AWS would do with them

``to_terraform(lab)`` writes the course's two roles (or the roles named) — trust policy as
``jsonencode({...})``, ``aws_iam_role_policy_attachment`` for each managed policy (a customer
managed one with its ``aws_iam_policy``), ``aws_iam_role_policy`` for each inline policy — and
the latest revision of the course's task definition, its roles as ``aws_iam_role.x.arn``.
``policies={role: document}`` writes that document as an ``aws_iam_policy`` named
``<role>-policy`` (and its attachment) instead of the role's current permissions. The text is
the same for the same lab, and ``load_terraform(Lab(), to_terraform(lab))`` rebuilds the roles
and task definition.

What is read
    ``resource`` blocks ``aws_iam_role`` (name, assume_role_policy, path, description,
    max_session_duration, permissions_boundary, managed_policy_arns, inline_policy blocks),
    ``aws_iam_role_policy_attachment`` (role, policy_arn), ``aws_iam_role_policy`` (name, role,
    policy), ``aws_iam_policy`` (name, path, description, policy) and ``aws_ecs_task_definition``
    (family, container_definitions, execution_role_arn, task_role_arn, network_mode,
    requires_compatibilities, cpu, memory, pid_mode, ipc_mode, runtime_platform and
    ephemeral_storage blocks); ``data`` blocks ``aws_iam_policy_document`` (statement blocks with
    principals, not_principals and condition, rendered as the AWS provider renders them),
    ``aws_caller_identity``, ``aws_region``, ``aws_partition``, ``aws_iam_policy`` and
    ``aws_iam_role`` (answered from the lab); ``variable`` defaults and ``locals``.
    Expressions: literals, strings with ``${...}`` interpolation and ``$${`` escapes, heredocs
    (``<<EOT``, ``<<-EOT``, with interpolation), tuples, objects, references
    (``aws_iam_role.x.name``/``.arn``/``.id``, ``aws_iam_policy.p.arn``, ``var.x``,
    ``local.y``, ``data.aws_iam_policy_document.d.json``, indexes) and the functions
    ``jsonencode``, ``jsondecode``, ``format``, ``join``, ``concat``, ``merge``, ``flatten``,
    ``distinct``, ``length``, ``lower``, ``upper``, ``tostring``, ``tonumber``, ``tolist``,
    ``toset``. ``container_definitions`` (``jsonencode([...])`` or a JSON heredoc) is read as the
    AWS provider reads it: field names matched without regard to case, nulls dropped; a field
    ECS does not have is an error here (the provider would drop it without a word).

What is not
    ``file()``, ``templatefile()`` and other functions that read files (ecslab reads the .tf text
    only), ``name_prefix`` (a random name at apply time; the course needs fixed names),
    ``count``/``for_each``/``dynamic`` blocks, conditionals, operators, ``for`` and splat
    expressions, template directives (``%{ if }``), modules, ``source_policy_documents`` and
    ``override_policy_documents``, task definition ``volume`` and placement blocks, and values
    known only after apply (``aws_ecs_task_definition.x.arn``). Each is a :class:`TerraformError`
    that says so. Every other block (provider, terraform, aws_ecs_cluster, aws_vpc, outputs, ...)
    is left alone and listed in :attr:`TerraformResult.ignored`.

How it applies
    Everything is read, resolved and checked first (IAM's own policy grammar, name and ARN rules,
    ECS's RegisterTaskDefinition rules); only then is anything changed, so a problem leaves the
    lab as it was. A role whose name already exists in the lab (the course's
    ``ecs-execution-role`` and ``ecs-task-role``: the article uses exactly these names) is
    *replaced*: its trust policy is set, every managed policy detached and every inline policy
    deleted, then the Terraform's attachments and inline policies applied. Should AWS still refuse
    a call while applying, what was already changed is put back and the refusal is reported with
    the block that asked for it.

Errors
    Any problem in the Terraform is a :class:`TerraformError` (a ``ValueError``) naming the file,
    the block (``aws_iam_role.ecs_task``) and the line where the block starts, and saying what is
    wrong in the words IAM or ECS would use (``MalformedPolicyDocument: ...``, ``NoSuchEntity``
    with the closest managed policy names) or Terraform would (an undeclared resource, an
    unexpected argument, with a "did you mean"). A syntax error also gives the line and column.

Where each step lives
    ``parse.py`` (HCL text to blocks, with file and line; syntax errors), ``evaluate.py`` (the
    values of arguments; references asked of a resolver), ``resolve.py`` (what references
    resolve to, from the lab's account), ``plan.py`` (what the files ask for, checked as IAM and
    ECS would), ``apply.py`` (``load_terraform``: applied as the learner, undone on a refusal)
    and ``write.py`` (``to_terraform``).
"""

from ecslab.coach.terraform.apply import TerraformResult, load_terraform
from ecslab.coach.terraform.parse import TerraformError
from ecslab.coach.terraform.write import to_terraform

__all__ = ["TerraformError", "TerraformResult", "load_terraform", "to_terraform"]
