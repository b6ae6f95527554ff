"""Competition levels (DOMAIN.md section 4) and the published policy presets they may use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    code: str
    name_zh: str
    name_en: str


LEVELS: tuple[Level, ...] = (
    Level("worldskills", "世界技能大赛", "WorldSkills Competition"),
    Level("national", "全国职业技能大赛(一类)", "National competition (class I)"),
    Level("national-2", "全国行业职业技能竞赛(二类)", "National industry competition (class II)"),
    Level("provincial-1", "省级一类竞赛", "Provincial competition, class I"),
    Level("provincial-2", "省级二类竞赛", "Provincial competition, class II"),
    Level("municipal-1", "市级一类竞赛", "Municipal competition, class I"),
    Level("municipal-2", "市级二类竞赛", "Municipal competition, class II"),
    Level("district", "县区级竞赛", "District or county competition"),
    Level("industry", "行业竞赛", "Industry competition"),
    Level("enterprise", "企业/院校竞赛", "Enterprise or college competition"),
)
LEVEL_CODES = tuple(level.code for level in LEVELS)


@dataclass(frozen=True)
class PresetName:
    id: str
    name_zh: str
    name_en: str
    template: bool = False


# The preset ids are an interface (DESIGN.md); their rules arrive with the policy engine.
POLICY_PRESETS: tuple[PresetName, ...] = (
    PresetName("national-2023", "第二届全国职业技能大赛(2023)", "2nd National Skills Competition (2023)"),
    PresetName(
        "national-2-printing",
        "第三届全国印刷行业职业技能大赛",
        "3rd national printing-industry contest",
    ),
    PresetName("heilongjiang-provincial-1", "黑龙江省一类竞赛", "Heilongjiang provincial class I"),
    PresetName("heilongjiang-provincial-2", "黑龙江省二类竞赛", "Heilongjiang provincial class II"),
    PresetName("shanxi-provincial-1", "山西省一类竞赛", "Shanxi provincial class I"),
    PresetName("tianjin-municipal-1", "天津市一类竞赛(2024)", "Tianjin municipal class I (2024)"),
    PresetName("tianjin-municipal-2", "天津市二类/区级竞赛", "Tianjin municipal class II / district"),
    PresetName("tianjin-enterprise", "天津市企业/院校竞赛", "Tianjin enterprise / college"),
    PresetName("zhejiang", "浙江省技术能手评选规则", "Zhejiang Technical Expert rules"),
    PresetName("suqian", "宿迁市(模板,由组织方设定)", "Suqian (template, set by the organizer)", True),
    PresetName("jincheng", "晋城市(模板,由组织方设定)", "Jincheng (template, set by the organizer)", True),
    PresetName("harbin", "哈尔滨市(模板,由组织方设定)", "Harbin (template, set by the organizer)", True),
)
PRESET_IDS = tuple(preset.id for preset in POLICY_PRESETS)
