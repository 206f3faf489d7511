-- Every invoice with 30-day payment terms, as of ${as_of}: its due date, the days past due
-- (0 when not yet due) and its amount.
SELECT i.invoice_id,
       i.account_id,
       i.date_issued,
       i.date_issued + 30 AS due_date,  -- DATE + days is a DATE (+ INTERVAL would be a TIMESTAMP)
       GREATEST(DATEDIFF(DATE '${as_of}', i.date_issued + INTERVAL 30 DAYS), 0) AS days_past_due,
       a.amount
FROM invoices i
JOIN invoice_amounts a ON a.invoice_id = i.invoice_id
WHERE i.date_issued <= DATE '${as_of}'
ORDER BY i.invoice_id;
