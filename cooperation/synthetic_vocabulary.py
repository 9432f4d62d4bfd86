"""Word lists and distributions for synthetic records (see synthesis.py): names of places,
people, organizations and topics, and the weights that make the data look like the sources."""


def _words(text: str) -> list[str]:
    return text.split()


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";")]


# Countries most present in the sources first: the Zipf ranking follows this order, then the
# remaining ISO codes alphabetically.
PROMINENT = _words(
    "CN TZ ET KE LA KH MM NP VN PK MZ UG RW ZM ZW GH NG SN MW MG BD LK ID PH TH MN KG TJ UZ AF "
    "EG SD CM CI ML NE BF BJ ZA AO CD CG NA BW LS BI SO DJ ER BR MX PE BO EC CO CU VE AR CL HT "
    "PG FJ VU WS TO US GB FR DE JP KR IN IT CH AT BE NL SE NO DK CA AU"
)
CITIES = {
    "CN": "Beijing Shanghai Chengdu Kunming Nanning Guiyang Lanzhou Xi'an Wuhan Changsha "
    "Hangzhou Guangzhou Fuzhou Yinchuan Hohhot Urumqi Lhasa Haikou Hefei Nanchang",
    "TZ": "Dar_es_Salaam Dodoma Arusha Morogoro Mwanza",
    "ET": "Addis_Ababa Bahir_Dar Hawassa Mekelle",
    "KE": "Nairobi Mombasa Kisumu Nakuru",
    "LA": "Vientiane Luang_Prabang Pakse",
    "KH": "Phnom_Penh Siem_Reap Battambang",
    "MM": "Naypyidaw Yangon Mandalay",
    "NP": "Kathmandu Pokhara",
    "VN": "Hanoi Ho_Chi_Minh_City Da_Nang",
    "PK": "Islamabad Lahore Karachi",
    "MZ": "Maputo Beira Nampula",
    "UG": "Kampala Entebbe Gulu",
    "RW": "Kigali Huye",
    "ZM": "Lusaka Ndola",
    "ZW": "Harare Bulawayo",
    "GH": "Accra Kumasi Tamale",
    "NG": "Abuja Lagos Kano",
    "SN": "Dakar Thiès",
    "MW": "Lilongwe Blantyre",
    "MG": "Antananarivo Toamasina",
    "BD": "Dhaka Chittagong",
    "LK": "Colombo Kandy",
    "ID": "Jakarta Yogyakarta",
    "PH": "Manila Davao",
    "TH": "Bangkok Chiang_Mai",
    "MN": "Ulaanbaatar",
    "EG": "Cairo Alexandria",
    "ZA": "Pretoria Johannesburg Cape_Town",
    "BR": "Brasília São_Paulo Recife",
    "MX": "Mexico_City Oaxaca",
    "PE": "Lima Cusco",
    "US": "New_York Washington",
    "GB": "London",
    "FR": "Paris",
    "DE": "Berlin Bonn",
    "IT": "Rome",
    "CH": "Geneva",
    "JP": "Tokyo",
    "KR": "Seoul",
    "IN": "New_Delhi",
    "AT": "Vienna",
}
VENUES = _items(
    "International Conference Centre; State Guesthouse; Friendship Hotel; Agricultural "
    "University; Rural Training Centre; Exhibition Centre; Poverty Reduction Training Base"
)
TOPICS = _items(
    "rural microfinance; village-level poverty mapping; agricultural technology extension; "
    "small-scale irrigation; rural e-commerce; conditional cash transfers; vocational skills "
    "for rural youth; participatory village planning; poverty monitoring and evaluation; hybrid "
    "rice cultivation; bamboo weaving; mushroom cultivation; rural road construction; safe "
    "drinking water; women's entrepreneurship; social protection; community-driven development; "
    "land consolidation; rural tourism; relocation of households from remote areas; targeted "
    "poverty alleviation; food security; climate resilience in dryland farming; solar power for "
    "villages; biogas digesters; livestock breeding; inland fisheries; farmers' cooperatives; "
    "digital inclusion; rural health care; schooling for children of poor families; disaster "
    "risk reduction; county economic development; agricultural value chains; tea production; "
    "cassava processing; rural credit cooperatives; poverty statistics; handicraft marketing; "
    "child nutrition; minimum living guarantee; labour migration; juncao grass technology; "
    "sericulture; post-harvest storage"
)
AUDIENCES = _items(
    "government officials; village leaders; agricultural technicians; women entrepreneurs; "
    "young professionals; researchers; NGO staff; county officials; extension workers"
)
DOMAINS = _items(
    "Agriculture; Rural Development; Poverty Alleviation; Commerce; Finance; Social Welfare; "
    "Water Resources; Health; Education; Labour; Planning; Statistics; Foreign Affairs; Science "
    "and Technology; Environment; Forestry; Fisheries; Energy; Women's Affairs; Youth; "
    "Cooperatives; Land Management; Disaster Management; Livestock; Irrigation"
)
PROVINCES = _words(
    "Yunnan Guizhou Guangxi Sichuan Gansu Ningxia Qinghai Shaanxi Hunan Hubei Henan Hebei "
    "Shanxi Jiangxi Anhui Fujian Zhejiang Jiangsu Shandong Hainan Tibet Xinjiang Chongqing"
)
AREAS = _words("Northern Eastern Southern Western Central Coastal Highland Lakes Valley Delta")
INSTITUTION_WORDS = _words("Institute Centre Academy Council Agency Authority Commission Office")
NGO_WORDS = _words("Hope Harvest Bridge Sunrise Green Unity Horizon Seed Heritage Compass")
ENTERPRISE_WORDS = _words("Great-Wall Silk-Road Golden Evergreen Pioneer Orient Summit Delta")
SECTORS = _words("Agritech Construction Engineering Trading Seeds Energy Telecom Water")
CHINESE_FAMILY = _words(
    "Wang:王 Li:李 Zhang:张 Liu:刘 Chen:陈 Yang:杨 Zhao:赵 Huang:黄 Zhou:周 Wu:吴 Xu:徐 Sun:孙 "
    "Hu:胡 Zhu:朱 Gao:高 Lin:林 He:何 Guo:郭 Ma:马 Luo:罗 Fan:范 Tan:谭 Zheng:郑 Xie:谢"
)
CHINESE_GIVEN = _words(
    "Wei:伟 Fang:芳 Min:敏 Jing:静 Lei:磊 Qiang:强 Yang:洋 Jun:军 Hua:华 Ping:平 Xiaojian:小建 "
    "Hongmei:红梅 Jianguo:建国 Lihua:丽华 Zhiqiang:志强 Xiuying:秀英 Guoqiang:国强 Yan:燕 "
    "Hui:辉 Bin:斌 Tao:涛 Ning:宁 Dongmei:冬梅 Haiyan:海燕"
)
GIVEN = {
    "Africa": _words(
        "Amina Kwame Fatuma Joseph Grace Abebe Tendai Chipo Moses Halima Samuel Aisha "
        "Emmanuel Zawadi Ibrahim Nomvula Kofi Esther"
    ),
    "Asia": _words(
        "Somchai Nguyen Thida Ramesh Bounmy Sokha Aung Priya Arjun Dewi Bolor Farida "
        "Rahim Sita Linh Kamal"
    ),
    "Americas": _words("Maria José Ana Carlos Lucia Pedro Rosa Diego Camila Jorge Sofia Luis"),
    "other": _words("Anna Peter Claire Thomas Eva Martin Sarah David Ingrid Paolo Helen Jan"),
}
FAMILY = {
    "Africa": _words(
        "Mwangi Okafor Banda Mensah Tesfaye Moyo Mutasa Diallo Kamara Nyerere Abdi "
        "Mbeki Achieng Traoré Phiri Asante"
    ),
    "Asia": _words(
        "Phommasak Tran Sok Sharma Win Rahman Santoso Bat-Erdene Perera Khan Silva Thapa Vongsa Rao"
    ),
    "Americas": _words("Silva Santos Pérez González Rodríguez Quispe Mamani Fernández Gómez"),
    "other": _words("Müller Dupont Smith Rossi Jensen Novak Berg Janssen Brown Martin"),
}
JUNIOR_TITLES = [
    "Deputy Director-General, {org}",
    "Division Director, {org}",
    "Programme Officer, {org}",
    "Senior Researcher, {org}",
    "Counsellor, {org}",
    "Deputy Head of {org}",
]
SENIOR_TITLES = [
    "Director-General of {org}",
    "Vice Minister, {org}",
    "Minister of {org}",
    "Executive Director of {org}",
    "President of {org}",
    "Head of {org}",
]
EVENT_TYPES = {  # type: (weight, share with an end date, days the event lasts)
    "training": (25, 0.75, (5, 30)),
    "seminar": (18, 0.40, (1, 5)),
    "meeting": (16, 0.15, (1, 2)),
    "visit": (15, 0.70, (2, 14)),
    "forum": (7, 0.45, (1, 4)),
    "signing": (5, 0.02, (1, 1)),
    "launch": (4, 0.05, (1, 2)),
    "field_visit": (4, 0.30, (1, 6)),
    "research": (3, 0.30, (30, 300)),
    "speech": (2, 0.0, (1, 1)),
    "other": (1, 0.20, (1, 10)),
}
CHILD_TYPES = {"meeting": 35, "field_visit": 20, "signing": 15, "seminar": 10, "speech": 10}
PARTICIPANTS = {  # type: typical range of the participants count
    "training": (12, 60),
    "seminar": (20, 150),
    "forum": (60, 800),
    "visit": (3, 25),
    "meeting": (4, 40),
    "launch": (30, 300),
    "field_visit": (5, 40),
}
PERSON_ROLES = {
    "training": ["trainer", "speaker", "trainee", "organizer"],
    "seminar": ["speaker", "attendee", "organizer"],
    "forum": ["speaker", "attendee", "organizer"],
    "visit": ["head_of_delegation", "delegation_member", "host", "guest"],
    "meeting": ["host", "guest", "attendee"],
    "signing": ["signatory", "host"],
    "launch": ["speaker", "host", "attendee"],
    "field_visit": ["head_of_delegation", "host", "delegation_member"],
    "research": ["other", "speaker"],
    "speech": ["speaker"],
    "other": ["attendee", "other"],
}
ORG_KINDS = {  # kind: weight, share based in a country
    "government": (30, 1.0),
    "local_government": (14, 1.0),
    "research": (16, 1.0),
    "ngo": (12, 0.85),
    "enterprise": (10, 1.0),
    "bilateral_agency": (5, 1.0),
    "media": (4, 1.0),
    "intergovernmental": (4, 0.0),
    "un_agency": (2, 0.0),
    "development_bank": (2, 0.1),
    "other": (1, 0.5),
}
PROGRAMME_KINDS = {
    "training_programme": 30,
    "project": 20,
    "demonstration_project": 15,
    "forum_series": 8,
    "fund": 7,
    "initiative": 8,
    "agreement": 7,
    "loan_project": 4,
    "other": 1,
}
REGION_ADJECTIVES = {
    "Africa": "African",
    "Asia": "Asian",
    "Americas": "Latin American",
    "Europe": "European",
    "Oceania": "Pacific",
}
TITLES = {
    "training": ["Training course on {topic} for {audience} from {guest}"],
    "seminar": ["Seminar on {topic}", "Workshop on {topic} in {host}"],
    "forum": ["International Forum on {topic}", "{host}–{guest} Conference on {topic}"],
    "visit": ["{guest} delegation visits {host}", "Study tour of {host} on {topic}"],
    "meeting": ["{host} and {guest} officials meet on {topic}", "Working meeting on {topic}"],
    "signing": ["{host} and {guest} sign memorandum on {topic}"],
    "launch": ["Launch of {topic} project in {host}"],
    "field_visit": ["Field visit to {topic} sites in {host}"],
    "research": ["Joint study on {topic} in {host}"],
    "speech": ["Keynote on {topic} in {host}"],
    "other": ["Exhibition on {topic} in {host}"],
}
ORG_ROLES = ["co_organizer", "sponsor", "funder", "implementer", "participant"]
SECTIONS = ["International Exchanges", "Foreign Aid", "Training", "Cooperation Projects"]
REPORTS = [
    ("news_article", "Rural Development Daily: archive of cooperation news"),
    ("report", "Annual report on South-South poverty reduction cooperation"),
    ("web_page", "Cooperation database of the regional development bank"),
    ("transcript", "Television documentary series on poverty reduction"),
    ("report", "Evaluation reports of training programmes"),
    ("news_article", "International wire service: development desk"),
]
