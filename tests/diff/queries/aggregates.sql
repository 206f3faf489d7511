-- Aggregates beyond the basics, with NULLs and empty groups: COUNT_IF, FILTER, BOOL_AND/OR,
-- ARG_MAX/MIN, STRING_AGG with ORDER BY, MEDIAN and quantiles, correlation and regression.
SELECT grp, COUNT_IF(n > 0), COUNT_IF(flag), COUNT_IF(d IS NULL) FROM t GROUP BY grp;
SELECT COUNT(*) FILTER (WHERE n > 0), SUM(n) FILTER (WHERE flag), AVG(d) FILTER (WHERE grp IN ('a', 'c')), MIN(name) FILTER (WHERE n < 0) FROM t;
SELECT grp, COUNT(*) FILTER (WHERE d > 0), MAX(amount) FILTER (WHERE flag) FROM t GROUP BY grp;
SELECT grp, BOOL_AND(flag), BOOL_OR(flag), BOOL_OR(n > 50) FROM t GROUP BY grp;
SELECT BOOL_AND(flag), BOOL_OR(flag) FROM t WHERE id > 100;
SELECT grp, ARG_MAX(name, n), ARG_MIN(name, n), MAX_BY(id, d), MIN_BY(id, d) FROM t GROUP BY grp;
SELECT ARG_MAX(id, amount), ARG_MIN(day, ts), ARG_MAX(name, day) FROM t;
SELECT grp, STRING_AGG(name, '|' ORDER BY id), STRING_AGG(CAST(n AS STRING), ',' ORDER BY n DESC NULLS LAST) FROM t GROUP BY grp;
SELECT STRING_AGG(grp, '' ORDER BY id DESC), LISTAGG(name, ';' ORDER BY name), GROUP_CONCAT(grp ORDER BY grp NULLS FIRST, id) FROM t;
SELECT grp, STRING_AGG(name ORDER BY id) FILTER (WHERE n > 0) FROM t GROUP BY grp;
SELECT grp, MEDIAN(n), MEDIAN(d), MEDIAN(amount), MEDIAN(day), MEDIAN(ts) FROM t GROUP BY grp;
SELECT MEDIAN(n), MEDIAN(big), QUANTILE_CONT(n, 0.25), QUANTILE_CONT(d, 0.9), QUANTILE_CONT(amount, 0.3), QUANTILE_DISC(n, 0.25), QUANTILE_DISC(name, 0.5) FROM t;
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY n), PERCENTILE_DISC(0.75) WITHIN GROUP (ORDER BY d), PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY amount DESC) FROM t;
SELECT grp, QUANTILE_CONT(ts, 0.5), QUANTILE_DISC(day, 0.0), QUANTILE_DISC(day, 1.0) FROM t GROUP BY grp;
SELECT CORR(n, d), COVAR_POP(n, d), COVAR_SAMP(n, d), REGR_SLOPE(d, n), REGR_INTERCEPT(d, n), REGR_COUNT(d, n), REGR_R2(d, n) FROM t WHERE ABS(d) < 1e10;
SELECT grp, CORR(n, amount), COVAR_POP(id, n), REGR_COUNT(n, d) FROM t GROUP BY grp;
SELECT MEDIAN(n), STRING_AGG(name, ','), ARG_MAX(id, n), CORR(n, d), COUNT_IF(flag) FROM t WHERE id > 100;
SELECT platform, COUNT_IF(event = 'post_create'), MEDIAN(hashtag_count), ARG_MAX(user_id, timestamp) FROM events GROUP BY platform;
SELECT currency, MEDIAN(total), QUANTILE_CONT(amount_due, 0.9), CORR(total, tax_percent), BOOL_OR(paid) FROM payments GROUP BY currency;
SELECT type, COUNT(*) FILTER (WHERE active), COUNT(DISTINCT user_id) FILTER (WHERE delivered) FROM posts GROUP BY type;
SELECT event_date, COUNT_IF(platform = 'twitter') FROM events WHERE event_date < DATE '2021-10-10' GROUP BY event_date;
SELECT id, MEDIAN(n) OVER (), MEDIAN(n) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), QUANTILE_DISC(d, 0.5) OVER (PARTITION BY grp) FROM t ORDER BY id;
SELECT id, STRING_AGG(name, ',') OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), ARG_MAX(id, n) OVER (PARTITION BY flag), COUNT(DISTINCT grp) OVER (ORDER BY id), BOOL_OR(flag) OVER (PARTITION BY grp ORDER BY id) FROM t ORDER BY id;
SELECT user_id, event_date, MEDIAN(hashtag_count) OVER (PARTITION BY user_id ORDER BY event_date RANGE BETWEEN 3 PRECEDING AND CURRENT ROW) AS m FROM events WHERE user_id % 50 = 1 ORDER BY user_id, event_date, m;
-- error
SELECT QUANTILE_CONT(n, 2) FROM t;
SELECT grp, flag, COUNT(*), SUM(n), GROUPING(grp), GROUPING(grp, flag) FROM t GROUP BY ROLLUP(grp, flag);
SELECT grp, flag, COUNT(*), GROUPING(flag) FROM t GROUP BY CUBE(grp, flag);
SELECT grp, YEAR(day) AS y, MAX(n) FROM t GROUP BY GROUPING SETS ((grp), (y), ());
SELECT grp, flag, COUNT(*) FROM t GROUP BY grp, ROLLUP(flag);
SELECT grp, COUNT(*) FROM t GROUP BY GROUPING SETS ((grp), ()) HAVING COUNT(*) > 1;
SELECT platform, event, COUNT(*), GROUPING(platform, event) FROM events GROUP BY ROLLUP(platform, event);
SELECT grp, COUNT(*), GROUPING(grp) FROM t GROUP BY grp;
