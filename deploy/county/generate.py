#!/usr/bin/env python3
"""Writes organisation.json: one realistic (fictional) county for the sample
configuration — 12 townships with their villages, communities and schools, and
users for every role. Names, phones and addresses are made up.

    python3 deploy/county/generate.py > deploy/county/organisation.json
"""
import json
import sys

TOWNSHIPS = [
    ("chengguan", "城关镇", "Chengguan Town", "town"),
    ("qingshi", "青石镇", "Qingshi Town", "town"),
    ("liuhe", "柳河乡", "Liuhe Township", "township"),
    ("baishui", "白水镇", "Baishui Town", "town"),
    ("daping", "大坪乡", "Daping Township", "township"),
    ("shimen", "石门镇", "Shimen Town", "town"),
    ("taoyuan", "桃源乡", "Taoyuan Township", "township"),
    ("longquan", "龙泉镇", "Longquan Town", "town"),
    ("xinhua", "新华街道", "Xinhua Subdistrict", "street"),
    ("dongfeng", "东风乡", "Dongfeng Township", "township"),
    ("hongyan", "红岩镇", "Hongyan Town", "town"),
    ("gaoqiao", "高桥乡", "Gaoqiao Township", "township"),
]
VILLAGE_NAMES = ["新村", "和平村", "团结村", "前进村", "光明村", "红星村", "胜利村", "丰收村"]
VILLAGE_EN = ["Xin", "Heping", "Tuanjie", "Qianjin", "Guangming", "Hongxing", "Shengli", "Fengshou"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"]

units, users = [], []
counter = [0]


def person(unit, roles, title):
    counter[0] += 1
    n = counter[0]
    name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n * 7) % len(GIVEN)]
    users.append({
        "id": f"u{n:04d}",
        "name": name,
        "title": title,
        "unit": unit,
        "roles": roles,
        "phone": f"1380000{n:04d}",
        "email": f"u{n:04d}@qingshan.example.cn",
    })


units.append({"id": "qingshan", "type": "county", "parent": "",
              "name": {"zh": "青山县", "en": "Qingshan County"}})
person("qingshan", ["county_supervisor"], "县未成年人保护工作领导小组办公室督查")
person("qingshan", ["county_supervisor"], "县民政局分管副局长")
person("qingshan", ["civil_affairs"], "县民政局儿童福利股")
person("qingshan", ["civil_affairs"], "县未成年人救助保护中心")
person("qingshan", ["education_bureau"], "县教育局控辍保学办公室")
person("qingshan", ["police_supervisor"], "县公安局治安大队")
person("qingshan", ["administrator"], "系统管理员")

# The county public security bureau's police stations (派出所): a station is
# a unit of the bureau that serves one or more townships; its officers'
# jurisdiction is the townships it serves. Dongfeng's station also serves
# Gaoqiao.
units.append({"id": "qingshan-police", "type": "public_security", "parent": "qingshan",
              "name": {"zh": "青山县公安局", "en": "Qingshan County Public Security Bureau"}})
SHARED_STATIONS = {"gaoqiao": "dongfeng"}
for tid, zh, en, _ in TOWNSHIPS:
    if tid in SHARED_STATIONS:
        continue
    serves = [tid] + [t for t, host in SHARED_STATIONS.items() if host == tid]
    units.append({"id": f"{tid}-police", "type": "police_station", "parent": "qingshan-police",
                  "serves": serves,
                  "name": {"zh": f"{zh.rstrip('镇乡街道')}派出所", "en": f"{en.split()[0]} Police Station"}})


def station(tid):
    return f"{SHARED_STATIONS.get(tid, tid)}-police"


def station_zh(tid):
    return next(u["name"]["zh"] for u in units if u["id"] == station(tid))


for t, (tid, zh, en, kind) in enumerate(TOWNSHIPS):
    units.append({"id": tid, "type": kind, "parent": "qingshan", "name": {"zh": zh, "en": en}})
    # Police act for their station (派出所), which serves the township.
    person(station(tid), ["police_officer"], f"{station_zh(tid)}民警")
    person(station(tid), ["police_officer"], f"{station_zh(tid)}民警")
    person(station(tid), ["police_supervisor"], f"{station_zh(tid)}所长")
    person(tid, ["township_case_worker"], f"{zh}儿童督导员")
    person(tid, ["township_supervisor"], f"{zh}分管副{'主任' if kind == 'street' else '镇长' if kind == 'town' else '乡长'}")
    villages = 4 + (t * 5) % 5
    for v in range(villages):
        is_community = kind == "street" or (v == 0 and kind == "town")
        vid = f"{tid}-{'c' if is_community else 'v'}{v + 1:02d}"
        vzh = (zh.rstrip("镇乡街道") + VILLAGE_NAMES[v].replace("村", "社区")) if is_community else VILLAGE_NAMES[v]
        ven = f"{VILLAGE_EN[v]} {'Community' if is_community else 'Village'}"
        units.append({"id": vid, "type": "community" if is_community else "village",
                      "parent": tid, "name": {"zh": vzh, "en": ven}})
        person(vid, ["child_director"], f"{vzh}儿童主任")
        person(vid, ["reporter", "village_committee"], f"{vzh}村（居）委会")
    schools = [("primary", "中心小学", "Central Primary School"), ("middle", "中学", "Middle School")]
    if t % 3 == 0:
        schools.append(("kindergarten", "中心幼儿园", "Central Kindergarten"))
    if t % 2 == 0:
        schools.append(("village-school", VILLAGE_NAMES[1] + "小学", "Heping Village Primary School"))
    for sid, szh, sen in schools:
        uid = f"{tid}-{sid}"
        units.append({"id": uid, "type": "kindergarten" if sid == "kindergarten" else "school",
                      "parent": tid, "name": {"zh": zh + szh, "en": f"{en.split()[0]} {sen}"}})
        person(uid, ["reporter"], "班主任")
        person(uid, ["reporter", "helper"], "帮扶教师")
        person(uid, ["reporter", "school_admin"], "校长")
    units.append({"id": f"{tid}-clinic", "type": "medical", "parent": tid,
                  "name": {"zh": zh + "卫生院", "en": f"{en.split()[0]} Health Centre"}})
    person(f"{tid}-clinic", ["reporter"], "医生")

# Voluntary reporters (其他公民、社会组织): one social-organisation volunteer
# per township, registered with its first village or community. Added last
# so that the ids above stay as they were.
for tid, zh, _, _ in TOWNSHIPS:
    first = next(u["id"] for u in units if u["parent"] == tid)
    person(first, ["voluntary_reporter"], f"{zh}社会组织志愿者")

# County-level mandated and voluntary reporters, outside every township: the
# county hospital and a county social-work organisation. Their reports go to
# the child's place, not to theirs.
units.append({"id": "qingshan-hospital", "type": "medical", "parent": "qingshan",
              "name": {"zh": "青山县人民医院", "en": "Qingshan County People's Hospital"}})
person("qingshan-hospital", ["reporter"], "急诊科医生")
units.append({"id": "qingshan-social-work", "type": "social_organisation", "parent": "qingshan",
              "name": {"zh": "青山县青少年社会工作服务中心", "en": "Qingshan Youth Social Work Centre"}})
person("qingshan-social-work", ["reporter"], "社会工作者")
person("qingshan-social-work", ["voluntary_reporter"], "社会组织志愿者")

# The county procuratorate (县人民检察院), whose juvenile procurators watch
# every mandatory report in the county (the 2020 opinion on mandatory
# reporting gives it that duty): it serves the county as a whole, so its
# jurisdiction and the escalations counted from the county reach it. Added
# last so that the ids above stay as they were.
units.append({"id": "qingshan-procuratorate", "type": "procuratorate", "parent": "qingshan",
              "serves": ["qingshan"],
              "name": {"zh": "青山县人民检察院", "en": "Qingshan County People's Procuratorate"}})
person("qingshan-procuratorate", ["procurator"], "未成年人检察部门检察官")
person("qingshan-procuratorate", ["procurator"], "未成年人检察部门负责人")

json.dump({"kind": "organisation", "id": "qingshan",
           "note": "A fictional county for the sample configuration; regenerate with generate.py. Only the seed: shouhud copies it into its store on the first start, and from then on units and users are changed through the API, `shouhu unit|user` or the web app; edits here are not read again (仅用于首次启动时导入，之后以数据库为准).",
           "time_zone": "Asia/Shanghai",
           "units": units, "users": users}, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
