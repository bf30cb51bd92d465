"""Writes sample-usage.jsonl: half a year of five agents' searches (seeded, so reproducible)."""
import json, random, uuid
from pathlib import Path
from datetime import datetime, timedelta, UTC
random.seed(15)
# (query, hits, shown, opened-or-None) per scenario; scenario = list of steps in one sitting
ok = [
 ("не приходит письмо для сброса пароля", 3, ["KB-0010","KB-0011","KB-0038"], "KB-0010"),
 ("card declined", 2, ["KB-0001","KB-0008"], "KB-0001"),
 ("ошибка 429", 1, ["KB-0026"], "KB-0026"),
 ("письма в спаме", 2, ["KB-0042","KB-0040"], "KB-0042"),
 ("reset link expired", 2, ["KB-0011","KB-0010"], "KB-0011"),
 ("потерял телефон 2fa", 2, ["KB-0012","KB-0018"], "KB-0012"),
 ("отменить подписку", 2, ["KB-0007","KB-0003"], "KB-0007"),
 ("возврат денег", 2, ["KB-0003","KB-0004"], "KB-0003"),
 ("slack disconnected", 1, ["KB-0019"], "KB-0019"),
 ("webhook signature", 2, ["KB-0022","KB-0023"], "KB-0022"),
 ("ios push", 2, ["KB-0031","KB-0035"], "KB-0031"),
 ("приложение вылетает", 1, ["KB-0033"], "KB-0033"),
 ("saml signature invalid", 2, ["KB-0013","KB-0059"], "KB-0013"),
 ("export csv", 2, ["KB-0045","KB-0051"], "KB-0045"),
 ("НДС в счёте", 2, ["KB-0005","KB-0002"], "KB-0005"),
 ("401 invalid api key", 1, ["KB-0028"], "KB-0028"),
 ("account locked", 1, ["KB-0015"], "KB-0015"),
 ("тарифы", 1, ["KB-0047"], "KB-0047"),
]
weights_ok = [30,22,18,16,12,12,10,10,9,8,8,7,6,6,5,5,5,4]
# failed searches, each with what happens next
gap_no_hits_new = [("chargeback dispute", 9), ("интеграция с телеграм", 7), ("telegram bot", 4), ("ошибка 502 bad gateway", 5), ("удалить тикет", 3)]
typo = [("outlok rejects emails", 2, ["KB-0039"]), ("вебхук откючился", 0, []), ("refund polcy", 1, ["KB-0003"])]
alias_case = [
 # (failed query, hits, shown, then how found: query2, shown2, opened)
 ("закрывающие документы pdf", 2, ["KB-0008","KB-0047"], ("нужен акт", ["KB-0002"], "KB-0002")),
 ("okta sso", 0, [], None),  # then show KB-0059
 ("смена email владельца", 1, ["KB-0016"], ("сменить владельца", ["KB-0016","KB-0018"], "KB-0018")),
 ("двухфакторная аутентификация", 0, [], ("потерял телефон 2fa", ["KB-0012","KB-0018"], "KB-0012")),
]
users = ["anna.petrova", "boris.ivanov", "olga.smirnova", "dmitri.k", "support-bot"]
start = datetime(2026, 5, 25, 6, 0, tzinfo=UTC)
end = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
events = []
def ev(t, kind, user, **kw):
    rec = {"v": 1, "id": uuid.UUID(int=random.getrandbits(128)).hex, "time": t.strftime("%Y-%m-%dT%H:%M:%S.000000Z"), "event": kind}
    rec.update({k: v for k, v in kw.items() if v is not None and v != []})
    rec["user"] = user
    events.append(rec)
t = start
while t < end:
    # a sitting
    user = random.choice(users)
    s = t
    for _ in range(random.randint(1, 4)):
        r = random.random()
        if r < 0.66:
            q, h, shown, op = random.choices(ok, weights_ok)[0]
            kind = random.choice(["search", "search", "search", "interactive-search", "mcp-search"])
            if random.random() < 0.5:
                ev(s, kind, user, query=q, hits=h, shown=shown)
                s += timedelta(seconds=random.randint(5, 60))
                ev(s, random.choice(["show", "show", "edit", "open"]), user, opened=op)
            else:
                ev(s, kind, user, query=q, hits=h, shown=shown, opened=op)
        elif r < 0.80:
            q, w = random.choices(gap_no_hits_new, [w for _, w in gap_no_hits_new])[0]
            ev(s, "search", user, query=q, hits=0)
        elif r < 0.88:
            q, h, shown = random.choice(typo)
            ev(s, "search", user, query=q, hits=h, shown=shown)
        else:
            q, h, shown, then = random.choice(alias_case)
            ev(s, "search", user, query=q, hits=h, shown=shown)
            s += timedelta(seconds=random.randint(20, 90))
            if then is None:
                ev(s, "show", user, opened="KB-0059")
            else:
                q2, shown2, op2 = then
                ev(s, "search", user, query=q2, hits=len(shown2), shown=shown2, opened=op2)
        s += timedelta(seconds=random.randint(480, 1500))
    t += timedelta(minutes=random.randint(200, 900))
# occasional uses of other articles, so not all are "never"
for k, when in [("KB-0036", "2026-10-02T09:12:00.000000Z"), ("KB-0053", "2026-11-03T14:01:00.000000Z"), ("KB-0050", "2026-11-19T10:00:00.000000Z"), ("KB-0057", "2026-09-15T08:30:00.000000Z"), ("KB-0029", "2026-11-10T12:00:00.000000Z")]:
    events.append({"v": 1, "id": uuid.UUID(int=random.getrandbits(128)).hex, "time": when, "event": "show", "opened": k, "user": "anna.petrova"})
events.sort(key=lambda e: e["time"])
print(len(events))
with open(Path(__file__).with_name("sample-usage.jsonl"), "w", encoding="utf-8") as f:
    for e in events:
        f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
