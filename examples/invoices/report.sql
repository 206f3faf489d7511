-- Per account, as of ${as_of} with 30-day payment terms: how many of its invoices are past due
-- and what they are worth (the sum over their line items of quantity x retail price). Every
-- account is listed; one with nothing late shows 0 and 0. Invoices issued after the as-of date
-- do not exist yet.
WITH late AS (
  SELECT i.account_id, a.amount
  FROM invoices i
  JOIN invoice_amounts a ON a.invoice_id = i.invoice_id
  WHERE i.date_issued <= DATE '${as_of}'
    AND DATEDIFF(DATE '${as_of}', i.date_issued + INTERVAL 30 DAYS) > 0
)
SELECT acc.account_id,
       acc.company_name,
       COUNT(late.account_id) AS late_invoices,
       COALESCE(SUM(late.amount), 0) AS late_amount
FROM accounts acc
LEFT JOIN late ON late.account_id = acc.account_id
GROUP BY acc.account_id, acc.company_name
ORDER BY acc.account_id;
