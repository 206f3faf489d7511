#!/usr/bin/env python3
"""The invoices example's results computed from its CSVs with Python alone (no wh), to compare
with what examples/invoices/run.sh writes: report.csv and late_invoices.csv as of AS_OF.

    invoices_expected.py DATA_DIR AS_OF OUT_DIR
"""
import csv
import datetime as dt
import sys
from decimal import Decimal

data, as_of, out = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), sys.argv[3]
rows = lambda name: list(csv.DictReader(open(f"{data}/{name}", newline="", encoding="utf-8")))
price = {s["item_id"]: Decimal(s["item_retail_price"]) for s in rows("skus.csv")}
amount, lines = {}, {}
for li in rows("invoice_line_items.csv"):
    i = int(li["invoice_id"])
    amount[i] = amount.get(i, Decimal(0)) + int(li["quantity"]) * price[li["item_id"]]

def dec9(d):  # DECIMAL(38,9) as text
    return f"{d.quantize(Decimal('0.000000001')):f}"

invoices = sorted(rows("invoices.csv"), key=lambda r: int(r["invoice_id"]))
late_count, late_amount = {}, {}
with open(f"{out}/late_invoices.csv", "w", newline="") as f:
    f.write("invoice_id,account_id,date_issued,due_date,days_past_due,amount\n")
    for inv in invoices:
        issued = dt.date.fromisoformat(inv["date_issued"])
        if issued > as_of:
            continue  # not issued yet
        i, acc = int(inv["invoice_id"]), int(inv["account_id"])
        due = issued + dt.timedelta(days=30)
        past = (as_of - due).days
        f.write(f"{i},{acc},{issued},{due},{max(past, 0)},{dec9(amount[i])}\n")
        if past > 0:
            late_count[acc] = late_count.get(acc, 0) + 1
            late_amount[acc] = late_amount.get(acc, Decimal(0)) + amount[i]

def csv_field(s):
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s

with open(f"{out}/report.csv", "w", newline="") as f:
    f.write("account_id,company_name,late_invoices,late_amount\n")
    for a in sorted(rows("accounts.csv"), key=lambda r: int(r["account_id"])):
        acc = int(a["account_id"])
        f.write(f"{acc},{csv_field(a['company_name'])},{late_count.get(acc, 0)},"
                f"{dec9(late_amount.get(acc, Decimal(0)))}\n")
