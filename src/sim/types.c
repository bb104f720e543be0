/* The twelve alert types as a producer would send them: one generator per
 * type choosing the variant, the severity, the details and the summary
 * template. Names of gates, waters, venues and courses are plausible for the
 * reference district (Fenghua, Ningbo). */
#include "xiaoan/sim_gen.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>

#include "xiaoan/util.h"

#define PICK(r, arr) sim_rng_pick((r), (arr), XA_ARRAY_LEN(arr))

static const char *const sim_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭",
	"林", "何", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "邬", "竺", "应", "毛",
};
static const char *const sim_given[] = {
	"伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
	"建国", "海燕", "志强", "秀英", "立新", "国平", "晓东", "丽君", "春华", "伟民", "建军",
};
static const char *const sim_gates[] = {
	"正门", "正门", "南门", "北门", "东门", "西门", "东侧门", "西侧门", "后门", "车辆通道门",
};
static const char *const sim_posts[] = {
	"校门口护学岗", "东侧路口护学岗", "斑马线护学岗", "公交站护学岗",
};
static const char *const sim_alarm_places[] = {
	"门卫室", "教学楼一楼大厅", "行政楼", "食堂", "操场东侧", "宿舍楼值班室",
};
/* The eight categories of key persons kept away from schools. */
static const char *const sim_risk_categories[] = {
	"肇事肇祸精神障碍患者", "刑满释放人员", "社区矫正对象", "吸毒人员",
	"涉邪教人员", "有暴力倾向人员", "重点信访人员", "其他重点关注人员",
};
static const char *const sim_venue_kinds[] = { "网吧", "KTV", "酒吧", "电竞酒店" };
static const char *const sim_venues[][3] = {
	{ "星际网咖", "极速网络会所", "锦溪网吧" },
	{ "麦乐迪KTV", "金曲KTV", "欢唱量贩KTV" },
	{ "夜色酒吧", "蓝调酒吧", "江畔清吧" },
	{ "竞界电竞酒店", "超神电竞酒店", "峰巢电竞酒店" },
};
static const char *const sim_food_reporters[] = { "家长", "学校", "学生", "食堂管理员" };
static const char *const sim_waters[] = {
	"剡江", "县江", "东江", "亭下湖", "横山水库", "溪口水库", "周边池塘", "松岙海塘",
};
static const char *const sim_traffic_hazards[] = {
	"上下学高峰车辆拥堵", "流动摊贩占道经营", "窨井盖破损", "交通标志缺失",
	"广告牌松动", "斑马线标线模糊", "违停车辆占用接送区",
};
static const char *const sim_traffic_places[] = {
	"校门口", "东侧路口", "西侧人行道", "公交站旁", "校门对面商铺前", "南侧十字路口",
};
static const char *const sim_traffic_reporters[] = { "网格员", "交警", "学校", "家长" };
static const char *const sim_mental_sources[] = {
	"心理测评", "班主任反映", "家长反映", "网络巡查", "同学反映",
};
static const char *const sim_courses[] = {
	"宪法伴我成长", "未成年人保护法", "预防校园欺凌", "防范电信网络诈骗", "禁毒教育",
	"交通安全法规", "网络安全与个人信息保护", "民法典进校园", "预防性侵害", "消防安全与法律责任",
	"预防未成年人犯罪法", "反家庭暴力", "食品安全法", "防溺水安全与责任",
};
static const char *const sim_lecturer_roles[] = {
	"法治副校长", "检察官", "法官", "派出所民警", "律师", "司法所干部",
};
static const char *const sim_cn_digits[] = { "一", "二", "三", "四", "五", "六" };

static void jstr(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void jstr_own(struct json_object *o, const char *k, char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
	free(v);
}

static void jint(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static char *sim_person(struct sim_rng *r)
{
	return xasprintf("%s%s", PICK(r, sim_surnames), PICK(r, sim_given));
}

static char *sim_camera(struct sim_rng *r, const struct sim_school *s, const char *kind)
{
	return xasprintf("%s-%s-%02d", kind, s->code, (int)sim_rng_range(r, 1, 24));
}

/* A class of the school, e.g. 初二(3)班, and an anonymous student reference
 * (student data never travels by name). older: only pupils old enough to
 * get into an internet café (primary grades 4-6, the middle part of a
 * nine-year school). */
static void sim_student(struct sim_rng *r, const struct sim_school *s, bool older, struct json_object *d)
{
	int cls = (int)sim_rng_range(r, 1, 8);
	enum sim_school_kind k = s->kind;
	if (k == SIM_NINE_YEAR)
		k = older || sim_rng_unit(r) >= 0.6 ? SIM_MIDDLE : SIM_PRIMARY;
	switch (k) {
	case SIM_KINDERGARTEN: {
		static const char *const g[] = { "小班", "中班", "大班" };
		jstr_own(d, "class", xasprintf("%s(%d)班", PICK(r, g), cls > 4 ? cls - 4 : cls));
		break;
	}
	case SIM_PRIMARY:
		jstr_own(d, "class", xasprintf("%s年级(%d)班", sim_cn_digits[sim_rng_range(r, older ? 3 : 0, 5)], cls));
		break;
	case SIM_HIGH:
		jstr_own(d, "class", xasprintf("高%s(%d)班", sim_cn_digits[sim_rng_range(r, 0, 2)], cls));
		break;
	default:
		jstr_own(d, "class", xasprintf("初%s(%d)班", sim_cn_digits[sim_rng_range(r, 0, 2)], cls));
		break;
	}
	jstr_own(d, "student_ref", xasprintf("%06" PRIx64 "", sim_rng_next(r) & 0xFFFFFF));
}

/* A face-match similarity in [lo, 0.999] with three decimals. */
static double sim_score(struct sim_rng *r, double lo)
{
	return round((lo + sim_rng_unit(r) * (0.999 - lo)) * 1000) / 1000;
}

static void sim_gate_open(struct sim_rng *r, const struct sim_school *s, struct sim_when w, struct sim_fill *f)
{
	/* Most gates are closed within minutes; a few stay open for long. */
	int secs = 121 + (int)fmin(3000, -log(1 - sim_rng_unit(r)) * 240);
	bool night = w.minute < 360 || w.minute >= 1350;
	const char *period = night ? "夜间" : w.wday >= 5 ? "周末" :
			     (w.minute >= 510 && w.minute < 930) ? "上课时段" : "非上下学时段";
	jstr_own(f->details, "camera_id", sim_camera(r, s, "CAM"));
	jstr(f->details, "gate", PICK(r, sim_gates));
	jint(f->details, "open_seconds", secs);
	jstr(f->details, "period", period);
	f->severity = secs > 900 || night ? "high" : secs < 180 ? "low" : "normal";
	f->tmpl = "{school}{gate}在{period}开启{open_seconds}秒未关闭";
	f->delay_s = secs;
}

static void sim_guard_absent(struct sim_rng *r, const struct sim_school *s, struct sim_fill *f)
{
	int days = (int)sim_rng_range(r, 7, 14);
	jstr_own(f->details, "guard", sim_person(r));
	jstr_own(f->details, "guard_id", xasprintf("G-%s-%02d", s->code, (int)sim_rng_range(r, 1, 6)));
	jint(f->details, "days_missing", days);
	f->severity = days >= 10 ? "high" : "normal";
	f->tmpl = "{school}保安{guard}已连续{days_missing}天未被人脸抓拍";
	f->delay_s = (int)sim_rng_range(r, 0, 600);
}

static void sim_patrol_post(struct sim_rng *r, struct sim_when w, struct sim_fill *f)
{
	int late = (int)sim_rng_range(r, 5, 30);
	jstr(f->details, "post", PICK(r, sim_posts));
	jstr_own(f->details, "officer", sim_person(r));
	jstr_own(f->details, "badge", xasprintf("%06d", (int)sim_rng_range(r, 10000, 99999)));
	jstr(f->details, "window", w.minute < 720 ? "07:00-08:00" : "15:45-17:15");
	jint(f->details, "late_minutes", late);
	f->severity = late > 20 ? "high" : "normal";
	f->tmpl = "{school}{post}值勤民警{officer}（警号{badge}）未在{window}高峰时段打卡";
	f->delay_s = late * 60;
}

static void sim_panic_alarm(struct sim_rng *r, const struct sim_school *s, struct sim_when w,
			    struct sim_fill *f)
{
	bool evening = w.minute >= 1080 || w.minute < 360;
	double x = sim_rng_unit(r);
	jstr_own(f->details, "device_id", xasprintf("PA-%s-%02d", s->code, (int)sim_rng_range(r, 1, 4)));
	if (x < (evening ? 0.85 : 0.92)) { /* real alarms are the exception */
		if (x < 0.35 && !evening) {
			jstr(f->details, "event", "test_missed");
			f->severity = "low";
			f->tmpl = "{school}一键报警装置{device_id}本月测试未完成";
		} else {
			int mins = (int)sim_rng_range(r, 10, 180);
			jstr(f->details, "event", "offline");
			jint(f->details, "offline_minutes", mins);
			f->severity = mins > 60 ? "high" : "normal";
			f->tmpl = "{school}一键报警装置{device_id}离线{offline_minutes}分钟";
			f->delay_s = mins * 60;
		}
	} else {
		const char *place = s->boarding && evening ? "宿舍楼值班室" : PICK(r, sim_alarm_places);
		jstr(f->details, "event", "alarm");
		jstr(f->details, "location", place);
		f->severity = "critical";
		f->tmpl = "{school}{location}触发一键报警";
		f->delay_s = (int)sim_rng_range(r, 1, 20);
	}
}

static void sim_risk_person(struct sim_rng *r, const struct sim_school *s, struct sim_fill *f)
{
	int dist = (int)sim_rng_range(r, 10, 100);
	double score = sim_score(r, 0.85);
	jstr(f->details, "category", PICK(r, sim_risk_categories));
	jint(f->details, "distance_m", dist);
	jstr_own(f->details, "camera_id", sim_camera(r, s, "CAM"));
	json_object_object_add(f->details, "face_match", json_object_new_double(score));
	jint(f->vars, "score_pct", (int64_t)round(score * 100));
	f->severity = dist < 30 ? "critical" : "high";
	f->tmpl = "{school}周边{distance_m}米内识别出重点人员（{category}），人脸比对相似度{score_pct}%";
	f->delay_s = (int)sim_rng_range(r, 5, 90);
}

static void sim_minor_venue(struct sim_rng *r, const struct sim_school *s, struct sim_when w,
			    struct sim_fill *f)
{
	size_t k = (size_t)sim_rng_range(r, 0, XA_ARRAY_LEN(sim_venue_kinds) - 1);
	double score = sim_score(r, 0.90); /* the trigger is a match of at least 90 % */
	jstr(f->details, "venue_kind", sim_venue_kinds[k]);
	jstr(f->details, "venue", sim_rng_pick(r, sim_venues[k], XA_ARRAY_LEN(sim_venues[k])));
	json_object_object_add(f->details, "face_match", json_object_new_double(score));
	jstr_own(f->details, "camera_id", xasprintf("VEN-%04d", (int)sim_rng_range(r, 1, 400)));
	sim_student(r, s, true, f->details);
	jint(f->vars, "score_pct", (int64_t)floor(score * 100));
	f->severity = k == 2 || w.minute >= 1320 ? "high" : "normal";
	f->tmpl = "{school}{class}学生进入{venue}（{venue_kind}），人脸比对相似度{score_pct}%";
	f->delay_s = (int)sim_rng_range(r, 10, 300);
}

static void sim_food_safety(struct sim_rng *r, struct sim_when w, struct sim_fill *f)
{
	double x = sim_rng_unit(r);
	jstr(f->details, "reporter", PICK(r, sim_food_reporters));
	jstr(f->details, "meal", w.minute >= 960 ? "晚餐" : "午餐");
	if (x < 0.2) {
		int n = (int)sim_rng_range(r, 3, 15);
		jint(f->details, "students_affected", n);
		jstr(f->details, "issue", "学生餐后腹痛腹泻");
		f->severity = n > 10 ? "critical" : "high";
		f->tmpl = "{school}{reporter}反映{students_affected}名学生{meal}后出现腹痛腹泻";
	} else {
		static const char *const issues[] = {
			"饭菜中发现异物", "食材疑似过期", "饭菜有异味", "食堂留样记录缺失", "餐具消毒不到位",
		};
		const char *issue = PICK(r, issues);
		jstr(f->details, "issue", issue);
		f->severity = x < 0.6 ? "normal" : "low";
		f->tmpl = "{school}{reporter}反映{meal}{issue}";
	}
	f->delay_s = (int)sim_rng_range(r, 300, 3600);
}

static void sim_drowning(struct sim_rng *r, const struct sim_school *s, struct sim_fill *f)
{
	bool crossed = sim_rng_unit(r) < 0.3;
	jstr(f->details, "water", PICK(r, sim_waters));
	jstr_own(f->details, "fence_id", xasprintf("EF-%s-%02d", s->code, (int)sim_rng_range(r, 1, 5)));
	jstr_own(f->details, "camera_id", sim_camera(r, s, "WCAM"));
	jint(f->details, "minors", sim_rng_range(r, 1, 4));
	jstr(f->details, "action", crossed ? "越界" : "逗留");
	jint(f->details, "dwell_minutes", sim_rng_range(r, 3, 20));
	f->severity = crossed ? "critical" : "high";
	f->tmpl = "{school}附近{water}电子围栏：{minors}名未成年人{action}{dwell_minutes}分钟";
	f->delay_s = (int)sim_rng_range(r, 180, 1200);
}

static void sim_traffic(struct sim_rng *r, struct sim_fill *f)
{
	const char *hazard = PICK(r, sim_traffic_hazards);
	jstr(f->details, "hazard", hazard);
	jstr(f->details, "place", PICK(r, sim_traffic_places));
	jstr(f->details, "reporter", PICK(r, sim_traffic_reporters));
	f->severity = hazard == sim_traffic_hazards[2] ? "high" : sim_rng_unit(r) < 0.4 ? "low" : "normal";
	f->tmpl = "{school}周边{place}：{hazard}";
	f->delay_s = (int)sim_rng_range(r, 60, 1800);
}

static void sim_mental_care(struct sim_rng *r, const struct sim_school *s, struct sim_fill *f)
{
	static const char *const grades[] = { "low", "medium", "high" };
	static const char *const grades_zh[] = { "低危", "中危", "高危" };
	static const char *const sev[] = { "normal", "high", "critical" };
	static const double gw[] = { 0.6, 0.3, 0.1 };
	size_t g = sim_rng_weighted(r, gw, 3);
	jstr(f->details, "source", PICK(r, sim_mental_sources));
	sim_student(r, s, false, f->details);
	jstr(f->vars, "grade_zh", grades_zh[g]);
	f->grade = grades[g];
	f->severity = sev[g];
	f->tmpl = "{school}{class}学生经{source}发现心理状况需关注（{grade_zh}）";
	f->delay_s = (int)sim_rng_range(r, 600, 7200);
}

static void sim_dorm_absence(struct sim_rng *r, const struct sim_school *s, struct sim_when w,
			     struct sim_fill *f)
{
	int late = (int)sim_rng_range(r, 10, 120);
	const char *check = w.wday == 6 && w.minute < 1260 ? "返校点名" :
			    w.minute < 840 ? "午休点名" : "晚点名";
	jstr_own(f->details, "building", xasprintf("%d号宿舍楼", (int)sim_rng_range(r, 1, 4)));
	jint(f->details, "room", sim_rng_range(r, 1, 6) * 100 + sim_rng_range(r, 1, 20));
	sim_student(r, s, false, f->details);
	jstr(f->details, "check", check);
	jint(f->details, "minutes_late", late);
	f->severity = late > 60 || w.minute >= 1350 ? "high" : "normal";
	f->tmpl = "{school}{building}{room}室住校生（{class}）{check}未到，已超时{minutes_late}分钟";
	f->delay_s = late * 60;
}

static void sim_legal_edu(struct sim_rng *r, struct sim_fill *f)
{
	int no = (int)sim_rng_range(r, 1, 90); /* the 90-course menu */
	char *lecturer = sim_person(r);
	jint(f->details, "course_no", no);
	jstr(f->details, "course", sim_courses[(size_t)(no - 1) % XA_ARRAY_LEN(sim_courses)]);
	jstr(f->details, "lecturer_role", PICK(r, sim_lecturer_roles));
	jstr_own(f->details, "lecturer", lecturer);
	jint(f->details, "students", sim_rng_range(r, 30, 600));
	f->severity = "low";
	f->tmpl = "{school}开展普法护苗课程第{course_no}课《{course}》，{lecturer_role}{lecturer}主讲，"
		  "{students}名学生参加";
	f->delay_s = (int)sim_rng_range(r, 2700, 7200); /* reported after the course */
}

void sim_types_fill(enum sim_type t, struct sim_rng *r, const struct sim_school *s, struct sim_when w,
		    struct sim_fill *f)
{
	f->details = json_object_new_object();
	f->vars = json_object_new_object();
	f->grade = NULL;
	f->severity = "normal";
	f->delay_s = 0;
	switch (t) {
	case SIM_GATE_OPEN: sim_gate_open(r, s, w, f); break;
	case SIM_GUARD_ABSENT: sim_guard_absent(r, s, f); break;
	case SIM_PATROL_POST: sim_patrol_post(r, w, f); break;
	case SIM_PANIC_ALARM: sim_panic_alarm(r, s, w, f); break;
	case SIM_RISK_PERSON: sim_risk_person(r, s, f); break;
	case SIM_MINOR_VENUE: sim_minor_venue(r, s, w, f); break;
	case SIM_FOOD_SAFETY: sim_food_safety(r, w, f); break;
	case SIM_DROWNING: sim_drowning(r, s, f); break;
	case SIM_TRAFFIC: sim_traffic(r, f); break;
	case SIM_MENTAL_CARE: sim_mental_care(r, s, f); break;
	case SIM_DORM_ABSENCE: sim_dorm_absence(r, s, w, f); break;
	case SIM_LEGAL_EDU:
	case SIM_NTYPES:
	default: sim_legal_edu(r, f); break;
	}
}
