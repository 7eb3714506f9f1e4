using IdentitySharing.Application.Idempotency;

namespace IdentitySharing.Application.Tests.Idempotency;

public sealed class KeyedAsyncLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task One_holder_per_key_while_other_keys_proceed()
    {
        var locks = new KeyedAsyncLock();
        var held = await locks.AcquireAsync("a", Ct);

        var sameKey = locks.AcquireAsync("a", Ct);
        using (await locks.AcquireAsync("b", Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct))
        {
            sameKey.IsCompleted.Should().BeFalse();
        }
        held.Dispose();
        (await sameKey.WaitAsync(TimeSpan.FromSeconds(30), Ct)).Dispose();

        locks.ActiveKeys.Should().Be(0, "a key's lock lives only while held or awaited");
    }

    [Fact]
    public async Task A_cancelled_waiter_gives_up_its_place_and_leaks_nothing()
    {
        var locks = new KeyedAsyncLock();
        var held = await locks.AcquireAsync("a", Ct);
        using var cancel = new CancellationTokenSource();

        var waiter = locks.AcquireAsync("a", cancel.Token);
        await cancel.CancelAsync();

        await waiter.Invoking(w => w).Should().ThrowAsync<OperationCanceledException>();
        locks.ActiveKeys.Should().Be(1);
        held.Dispose();
        held.Dispose(); // idempotent
        locks.ActiveKeys.Should().Be(0);
        (await locks.AcquireAsync("a", Ct)).Dispose();
    }
}
