/* Hologres maintenance
   /* nested: DROP TABLE public.not_dropped; */
   still a comment; TRUNCATE public.not_truncated;
*/
CREATE OR REPLACE FUNCTION public.cleanup() RETURNS void AS $body$
BEGIN
    DROP TABLE IF EXISTS public.inside_function;
    EXECUTE 'TRUNCATE public.also_inside';
END;
$body$ LANGUAGE plpgsql;

TRUNCATE public.stage_a, "Public"."Stage_B";

UPDATE public.orders o SET status = E'it\'s; paid'
FROM public.payments p
WHERE o.id = p.order_id;

DELETE FROM public.orders USING public.blacklist b WHERE orders.user_id = b.user_id;

INSERT INTO public.report (day, total)
SELECT day, SUM(total) FROM public.daily GROUP BY day
ON CONFLICT (day) DO UPDATE SET total = EXCLUDED.total;
