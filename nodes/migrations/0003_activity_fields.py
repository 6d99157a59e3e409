"""The 20 activity fields of the NPO Act (特定非営利活動促進法 別表), statutory names."""

from django.db import migrations

FIELDS = [
    (1, "保健、医療又は福祉の増進を図る活動", "保健・医療・福祉"),
    (2, "社会教育の推進を図る活動", "社会教育"),
    (3, "まちづくりの推進を図る活動", "まちづくり"),
    (4, "観光の振興を図る活動", "観光"),
    (5, "農山漁村又は中山間地域の振興を図る活動", "農山漁村・中山間地域"),
    (6, "学術、文化、芸術又はスポーツの振興を図る活動", "学術・文化・芸術・スポーツ"),
    (7, "環境の保全を図る活動", "環境保全"),
    (8, "災害救援活動", "災害救援"),
    (9, "地域安全活動", "地域安全"),
    (10, "人権の擁護又は平和の推進を図る活動", "人権・平和"),
    (11, "国際協力の活動", "国際協力"),
    (12, "男女共同参画社会の形成の促進を図る活動", "男女共同参画"),
    (13, "子どもの健全育成を図る活動", "子どもの健全育成"),
    (14, "情報化社会の発展を図る活動", "情報化社会"),
    (15, "科学技術の振興を図る活動", "科学技術"),
    (16, "経済活動の活性化を図る活動", "経済活動の活性化"),
    (17, "職業能力の開発又は雇用機会の拡充を支援する活動", "職業能力・雇用機会"),
    (18, "消費者の保護を図る活動", "消費者保護"),
    (19, "前各号に掲げる活動を行う団体の運営又は活動に関する連絡、助言又は援助の活動", "連絡・助言・援助"),
    (20, "前各号に掲げる活動に準ずる活動として都道府県又は指定都市の条例で定める活動", "条例で定める活動"),
]


def create_fields(apps, schema_editor):
    ActivityField = apps.get_model("nodes", "ActivityField")
    for code, name, short_name in FIELDS:
        ActivityField.objects.update_or_create(code=code, defaults={"name": name, "short_name": short_name})


class Migration(migrations.Migration):
    dependencies = [("nodes", "0002_initial")]
    operations = [migrations.RunPython(create_fields, migrations.RunPython.noop)]
