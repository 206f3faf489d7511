-- Invoices (seed-004): accounts and skus are small dimension tables (not bucketed); invoices and
-- their line items are both bucketed on invoice_id, so the invoice totals join bucket by bucket.
CREATE TABLE accounts (
  account_id     BIGINT NOT NULL,
  company_name   STRING,
  company_address STRING,  -- multi-line, quoted in the CSV
  contact_person STRING,
  contact_phone  STRING,
  gender         STRING,
  joining_date   DATE     -- d/m/yyyy in the CSV: ingest with --time-format joining_date=%d/%m/%Y
);

CREATE TABLE skus (
  item_id           STRING NOT NULL,
  item_name         STRING,
  item_description  STRING,
  item_cost_price   DECIMAL(18,9),
  item_retail_price DECIMAL(18,9)
);

CREATE TABLE invoices (
  invoice_id  BIGINT NOT NULL,
  account_id  BIGINT NOT NULL,
  date_issued DATE NOT NULL
)
CLUSTERED BY (invoice_id) INTO 8 BUCKETS;

CREATE TABLE invoice_line_items (
  invoice_id BIGINT NOT NULL,
  item_id    STRING NOT NULL,
  quantity   INT NOT NULL
)
CLUSTERED BY (invoice_id) INTO 8 BUCKETS;

-- What each invoice is worth: the sum of quantity x retail price of its line items (exact).
CREATE OR REPLACE VIEW invoice_amounts AS
SELECT li.invoice_id,
       SUM(li.quantity * s.item_retail_price) AS amount,
       COUNT(*) AS line_items
FROM invoice_line_items li
JOIN skus s ON s.item_id = li.item_id
GROUP BY li.invoice_id;
