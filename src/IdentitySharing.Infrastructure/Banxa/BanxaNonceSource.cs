using System.Globalization;

namespace IdentitySharing.Infrastructure.Banxa;

/// <summary>
/// Banxa nonces: Unix time in microseconds, strictly increasing across all threads of the
/// process, because Banxa rejects a reused nonce (error 40003) and concurrent requests within
/// one microsecond (or a clock step backwards) would otherwise collide. The last nonce is
/// process-wide, so several service providers sharing one Banxa key cannot collide either.
/// </summary>
public sealed class BanxaNonceSource(TimeProvider timeProvider)
{
    private static long s_last;

    public long Next()
    {
        var now = (timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (TimeSpan.TicksPerMillisecond / 1000);
        while (true)
        {
            var last = Interlocked.Read(ref s_last);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_last, next, last) == last)
            {
                return next;
            }
        }
    }

    public string NextText() => Next().ToString(CultureInfo.InvariantCulture);
}
