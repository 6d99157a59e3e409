"""The word lists the anonymizer reads names and addresses by (pure data, no Django)."""

# After a name these make a bare surname certainly a person (山田会長, 林さん); folded like the text.
HONORIFICS = ("さん", "様", "さま", "氏", "君", "くん", "ちゃん", "先生", "殿", "どの")
ROLE_SUFFIXES = ("副会長", "会長", "理事長", "理事", "代表", "事務局長", "委員長", "委員", "課長", "係長",
                 "主査", "部長", "館長", "所長", "議員", "宅", "家")
# Before a name: 代表山田 / 担当 山田 with no particle in between, 問合せは林 with one.
ROLE_PREFIXES = ("代表", "担当", "会長", "理事長", "事務局長", "委員長", "課長", "係長", "職員", "講師",
                 "相談者", "申込者", "対応", "代表者", "担当者", "事務局", "問合せ", "問い合わせ", "連絡先")
# Words that name what a person belongs to: 自治会の原が, 地区社協の森と, 子育て支援課の林は.
AFFILIATIONS = ("会", "協", "課", "係", "局", "部", "室", "班", "団", "団体", "クラブ", "法人", "企業", "組合",
                "PTA", "センター", "事務所", "ネット", "学校", "大学")
# What may follow a bare one-character name after an affiliation: a particle (が, と, は …).
PARTICLES = ("から", "より", "まで", "が", "と", "は", "に", "も", "を", "へ", "や", "で", "の")

# Legal forms that a text often leaves out: 「NPO法人湘南ねこの会」 is also just 「湘南ねこの会」.
LEGAL_FORMS = ("特定非営利活動法人", "NPO法人", "一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人",
               "社会福祉法人", "株式会社", "有限会社", "合同会社", "(株)", "(有)", "(一社)", "(特非)", "(社福)")

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
    "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県",
    "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県",
    "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)
