-- Date and time functions that exist in both engines with the same meaning.
SELECT id, YEAR(day), MONTH(day), DAY(day), QUARTER(day), DAYOFWEEK(day), DAYOFYEAR(day), WEEKOFYEAR(day) FROM t;
SELECT id, HOUR(ts), MINUTE(ts), SECOND(ts), EPOCH(ts), ISODOW(ts) FROM t;
SELECT id, DATE_PART('year', ts), DATE_PART('month', day), EXTRACT(DAY FROM ts), EXTRACT(HOUR FROM ts), DATE_PART('dow', day), DATE_PART('doy', ts), DATE_PART('week', day) FROM t;
SELECT id, DATE_TRUNC('month', day), DATE_TRUNC('year', ts), DATE_TRUNC('quarter', ts), DATE_TRUNC('week', day), DATE_TRUNC('day', ts), DATE_TRUNC('hour', ts), DATE_TRUNC('minute', ts) FROM t;
SELECT id, DATE_DIFF('day', day, DATE '2022-03-01'), DATE_DIFF('month', day, DATE '2022-03-01'), DATE_DIFF('year', ts, TIMESTAMP '2030-01-01 00:00:00'), DATE_DIFF('hour', ts, TIMESTAMP '2022-03-01 00:00:00'), DATE_DIFF('week', day, DATE '2022-03-01') FROM t;
SELECT id, day + 1, day - 30, ts + INTERVAL 1 DAY, ts - INTERVAL 2 HOUR, day + INTERVAL 1 MONTH, ts + INTERVAL 1 YEAR FROM t;
SELECT id, DATE '2022-03-01' - day, CAST(ts AS DATE), CAST(day AS TIMESTAMP), CAST(ts AS STRING), CAST(day AS STRING) FROM t;
SELECT DATE '2024-01-31' + INTERVAL 1 MONTH, DATE '2023-01-31' + INTERVAL 1 MONTH, TIMESTAMP '2024-02-29 12:00:00' + INTERVAL 1 YEAR;
SELECT YEAR(NULL::DATE), DATE_TRUNC('month', NULL::DATE), DATE_DIFF('day', NULL::DATE, DATE '2022-01-01');
SELECT event_date, COUNT(*) FROM events WHERE event_date BETWEEN DATE '2022-01-01' AND DATE '2022-01-07' GROUP BY event_date;
SELECT DATE_TRUNC('month', event_date) AS m, COUNT(*), COUNT(DISTINCT user_id) FROM events GROUP BY m;
SELECT DAYOFWEEK(timestamp) AS dow, HOUR(timestamp) AS h, COUNT(*) FROM events GROUP BY dow, h HAVING COUNT(*) > 20;
SELECT MIN(timestamp), MAX(timestamp), MIN(event_date), MAX(event_date) FROM events;
SELECT COUNT(*) FROM payments WHERE date >= TIMESTAMP '2022-01-01 00:00:00' AND date < '2022-02-01';
SELECT id, ts > '2022-01-01', day = '2022-02-28', day BETWEEN '2022-01-01' AND '2022-12-31' FROM t;
SELECT id, STRFTIME(ts, '%Y-%m-%d %H:%M:%S.%f %y %j %a %A %b %B %p %I %u %w %g'), STRFTIME(day, '%d/%m/%Y') FROM t;
SELECT STRFTIME(TIMESTAMP '2022-03-04 00:06:07', '%I %p'), STRFTIME(TIMESTAMP '2022-03-04 12:06:07', '%I:%M %p'), STRFTIME(DATE '2022-03-04', '%Y%%%m');
SELECT STRPTIME('04/03/2022 13:05', '%d/%m/%Y %H:%M'), STRPTIME('2022-03-04 05:06:07.123456', '%Y-%m-%d %H:%M:%S.%f'), STRPTIME('Mar 4 2022', '%b %d %Y'), STRPTIME('7:05 PM 2022-01-02', '%I:%M %p %Y-%m-%d');
SELECT TRY_STRPTIME('x', '%Y'), TRY_STRPTIME('2022-02-30', '%Y-%m-%d'), TRY_STRPTIME('2022-02-28', '%Y-%m-%d');
-- error
SELECT STRPTIME('2022-13-01', '%Y-%m-%d');
SELECT id, EPOCH_MS(ts), EPOCH_MS(EPOCH_MS(ts)) FROM t;
SELECT EPOCH_MS(1646370367123), EPOCH_MS(0), EPOCH_MS(-1);
SELECT MAKE_DATE(2022, 2, 28), MAKE_DATE(2024, 2, 29), MAKE_TIMESTAMP(2022, 1, 2, 3, 4, 5.5), MAKE_TIMESTAMP(2022, 1, 2, 3, 4, 5);
-- error
SELECT MAKE_DATE(2022, 2, 30);
SELECT id, LAST_DAY(day), LAST_DAY(ts), DAYNAME(day), MONTHNAME(ts) FROM t;
SELECT STRFTIME(event_date, '%Y-%m') AS m, COUNT(*) FROM events GROUP BY m;
SELECT DAYNAME(timestamp) AS d, COUNT(*) FROM events GROUP BY d;
