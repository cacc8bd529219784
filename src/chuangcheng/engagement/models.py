"""The engagement app keeps its tables in one module per area; Django finds them here."""

from chuangcheng.engagement.publicity.models import *  # noqa: F403
from chuangcheng.engagement.tasklists.models import *  # noqa: F403
from chuangcheng.engagement.volunteering.models import *  # noqa: F403
