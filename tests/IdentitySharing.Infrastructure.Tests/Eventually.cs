namespace IdentitySharing.Infrastructure.Tests;

/// <summary>Waits for a condition with a generous limit (a loaded machine is slow, not wrong).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, int timeoutSeconds = 30)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        while (!condition())
        {
            await Task.Delay(10, limit.Token);
        }
    }
}
