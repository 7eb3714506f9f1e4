using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.Infrastructure.Tests;

/// <summary>Fresh fakes and adapters per test class instance (xunit creates one per test).</summary>
public abstract class UpstreamFakesTestBase : IAsyncLifetime
{
    protected FakeSumsub Sumsub { get; private set; } = null!;
    protected FakeBanxa Banxa { get; private set; } = null!;
    internal AdapterHost Adapters { get; private set; } = null!;

    public virtual async ValueTask InitializeAsync()
    {
        Sumsub = await FakeSumsub.StartNewAsync();
        Banxa = await FakeBanxa.StartNewAsync();
        Adapters = AdapterHost.ForFakes(Sumsub, Banxa);
    }

    public async ValueTask DisposeAsync()
    {
        await Adapters.DisposeAsync();
        await Sumsub.DisposeAsync();
        await Banxa.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
