"""The questionnaires shipped ready to publish, in the assessment's style (see docs/guide/surveys.md).

Question and option texts are what is read to residents, so they are kept in Chinese as data
(like the standards catalog), not as translatable interface strings. Each option carries its role
for the indicator and its score; both stay editable after publication (that is how a definition,
say whether 听说过 counts as aware, is configured)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

POSITIVE, NEGATIVE, EXCLUDED = "positive", "negative", "excluded"


@dataclass(frozen=True)
class OptionSpec:
    code: str
    text: str
    role: str = NEGATIVE
    score: Decimal | None = None


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    text: str
    options: tuple[OptionSpec, ...] = ()
    kind: str = "single"
    indicator: str = ""
    topic: str = ""
    required: bool = True
    help_text: str = ""
    # Shown only to a grid worker recording answers on a household visit, never to a resident.
    interviewer_note: str = ""
    # Skip logic: (question code, option codes) — shown only when that question got one of them.
    show_if: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class SurveyTemplate:
    name: str
    label: str | Promise
    title: str
    intro: str
    questions: tuple[QuestionSpec, ...] = field(default_factory=tuple)


THANKS = "感谢您的参与和支持！共建文明城市，共享美好生活。"

AWARE = (
    OptionSpec("know", "知道", POSITIVE),
    OptionSpec("heard", "听说过", POSITIVE),
    OptionSpec("dont_know", "不知道", NEGATIVE),
)
SUPPORT = (
    OptionSpec("support", "支持", POSITIVE),
    OptionSpec("indifferent", "无所谓", NEGATIVE),
    OptionSpec("oppose", "不支持", NEGATIVE),
)
PARTICIPATED = (
    OptionSpec("yes", "参与过", POSITIVE),
    OptionSpec("no", "没有参与过", NEGATIVE),
    OptionSpec("unsure", "说不清", EXCLUDED),
)
SATISFACTION = (
    OptionSpec("5", "满意", POSITIVE, Decimal(100)),
    OptionSpec("4", "比较满意", POSITIVE, Decimal(80)),
    OptionSpec("3", "一般", NEGATIVE, Decimal(60)),
    OptionSpec("2", "不太满意", NEGATIVE, Decimal(40)),
    OptionSpec("1", "不满意", NEGATIVE, Decimal(0)),
    OptionSpec("0", "不清楚", EXCLUDED),
)

AWARENESS_QUESTIONS = (
    QuestionSpec("A1", "您知道我市正在创建全国文明城市吗？", AWARE, indicator="awareness", topic="创城知晓"),
    QuestionSpec("A2", "您知道社会主义核心价值观（24 字）的内容吗？", AWARE, indicator="awareness",
                 topic="社会主义核心价值观"),
    QuestionSpec("A3", "您知道本市的市民公约（居民公约）吗？", AWARE, indicator="awareness", topic="市民公约"),
    QuestionSpec("A4", "您知道“奉献、友爱、互助、进步”的志愿服务精神吗？", AWARE, indicator="awareness",
                 topic="志愿服务精神"),
)
SUPPORT_QUESTIONS = (
    QuestionSpec("S1", "您支持我市创建全国文明城市吗？", SUPPORT, indicator="support", topic="支持创城"),
)
PARTICIPATION_QUESTIONS = (
    QuestionSpec("P1", "您参加过志愿服务、环境清理、文明宣传等创城活动吗？", PARTICIPATED,
                 indicator="participation", topic="参与创城"),
    QuestionSpec("P2", "您参加的是哪些活动？（可多选）", (
        OptionSpec("volunteer", "志愿服务"),
        OptionSpec("cleanup", "环境清理"),
        OptionSpec("publicity", "文明宣传"),
        OptionSpec("order", "文明劝导、秩序维护"),
        OptionSpec("other", "其他"),
    ), kind="multiple", show_if=("P1", ("yes",))),
)
TOPICS = (
    ("M1", "市容环境", "您对所在区域的市容环境卫生满意吗？"),
    ("M2", "交通秩序", "您对道路交通秩序满意吗？"),
    ("M3", "公共厕所", "您对公共厕所的数量和卫生状况满意吗？"),
    ("M4", "农贸市场秩序", "您对农贸市场的环境和经营秩序满意吗？"),
    ("M5", "政府办事效率", "您对政府部门的办事效率和服务态度满意吗？"),
    ("M6", "夜间出行安全", "您晚上独自出行感到安全吗？您对社会治安满意吗？"),
    ("M7", "公益广告", "您对街头、社区公益广告的数量和质量满意吗？"),
    ("M8", "社区工作", "您对所在社区开展创城工作的情况满意吗？"),
)
# For the interviewer of a household visit only (a resident answering alone reads every option).
NOT_READ_OUT = "“不清楚”不读出，受访者主动表示不了解时选择。"
SATISFACTION_QUESTIONS = tuple(
    QuestionSpec(code, text, SATISFACTION, indicator="satisfaction", topic=topic,
                 interviewer_note=NOT_READ_OUT)
    for code, topic, text in TOPICS
)
SUGGESTION = QuestionSpec("T1", "您对创建文明城市工作还有哪些意见和建议？", kind="text", required=False)

TEMPLATES: dict[str, SurveyTemplate] = {
    t.name: t for t in (
        SurveyTemplate("awareness", _("Awareness rate (知晓率)"), "创建全国文明城市知晓率调查",
                       "您好！为了解市民对创建全国文明城市工作的知晓情况，请您抽出一分钟时间回答以下问题。"
                       "问卷匿名填写，谢谢！", AWARENESS_QUESTIONS),
        SurveyTemplate("support", _("Support rate (支持率)"), "创建全国文明城市支持率调查",
                       "您好！请告诉我们您对创建全国文明城市的态度。问卷匿名填写，谢谢！", SUPPORT_QUESTIONS),
        SurveyTemplate("participation", _("Participation rate (参与率)"), "创建全国文明城市参与率调查",
                       "您好！请告诉我们您参与创城活动的情况。问卷匿名填写，谢谢！", PARTICIPATION_QUESTIONS),
        SurveyTemplate("satisfaction", _("Satisfaction (满意度)"), "创建全国文明城市群众满意度调查",
                       "您好！请根据您的亲身感受，对以下方面作出评价。问卷匿名填写，谢谢！",
                       (*SATISFACTION_QUESTIONS, SUGGESTION)),
        SurveyTemplate("campaign", _("Full campaign survey (知晓率·支持率·参与率·满意度)"),
                       "创建全国文明城市市民问卷调查",
                       "您好！我们正在开展创建全国文明城市市民问卷调查，了解您对创城工作的知晓、支持、参与和满意情况。"
                       "问卷匿名填写，约需三分钟，谢谢！",
                       (*AWARENESS_QUESTIONS, *SUPPORT_QUESTIONS, *PARTICIPATION_QUESTIONS, *SATISFACTION_QUESTIONS,
                        SUGGESTION)),
    )
}
