using System.Collections.Concurrent;
using System.Web;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// kill -9 in the middle of a few hundred ImportApplicant calls with request ids, restart on the
/// same SQLite file, retry every call: exactly one import reaches Sumsub per request id — the
/// calls that were in flight at the kill are reconciled by user_id after their claims expire —
/// every call is answered with the applicant its import created, and the ledger records it.
/// </summary>
public sealed class CrashTests() : HostProcessTest(new FakeSumsub { ClientId = "crash-client", DefaultResponseDelay = TimeSpan.FromMilliseconds(100) })
{
    private const int Calls = 300;
    private const int Concurrency = 8;
    private const int KillAfterAnswers = 100;

    private readonly Dictionary<string, string> _settings = new()
    {
        // A crashed owner's pending claims are taken over after this.
        ["Idempotency__ClaimTimeout"] = "00:00:03",
        // The fake has no rate limit; this load exceeds Sumsub's, which pacing tests cover.
        ["Sumsub__RateLimits__PostPer5Seconds"] = "100000",
    };

    private static ImportApplicantRequest Request(int i) => new()
    {
        ShareToken = $"_act-crash-{i}",
        UserId = $"crash-user-{i}",
        RequestId = $"crash-request-{i}",
    };

    [Fact]
    public async Task After_kill_9_and_restart_retries_replay_completed_imports_and_run_the_rest()
    {
        var firstRun = new ConcurrentDictionary<int, string>();
        await using (var host = await StartHostAsync(_settings))
        {
            using var client = new GrpcWireClient(host.Address!);
            using var killed = new CancellationTokenSource();
            var work = RunAllAsync(client, firstRun, killed.Token);
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (firstRun.Count < KillAfterAnswers && !work.IsCompleted)
                {
                    await Task.Delay(5, limit.Token);
                }
            }
            work.IsFaulted.Should().BeFalse(work.Exception?.ToString());
            // Stop issuing calls, then kill the host under the ones in flight.
            await killed.CancelAsync();
            await host.KillAsync();
            await work;
        }
        firstRun.Count.Should().BeLessThan(Calls, "the host died midway");
        var importsBeforeRestart = ImportsByToken();

        var secondRun = new ConcurrentDictionary<int, string>();
        IReadOnlyList<ShareEvent> ledger;
        await using (var host = await StartHostAsync(_settings))
        {
            using var client = new GrpcWireClient(host.Address!);
            await RunAllAsync(client, secondRun, CancellationToken.None);
            ledger = await ReadLedgerAsync(client);
        }

        secondRun.Should().HaveCount(Calls, "every retry is answered");
        var imports = ImportsByToken();
        var inFlightAtKill = Enumerable.Range(0, Calls).Where(i => !firstRun.ContainsKey(i) && importsBeforeRestart.ContainsKey(Request(i).ShareToken)).ToList();
        foreach (var (i, applicant) in firstRun)
        {
            secondRun[i].Should().Be(applicant, "a completed import is replayed from the idempotency store");
            imports[Request(i).ShareToken].Should().Be(1, "a replay makes no upstream call");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"Answered before the kill: {firstRun.Count}; imported at Sumsub but unanswered at the kill: {inFlightAtKill.Count}");
        // Imports wait 100 ms at the fake, so the kill lands on some that Sumsub has already acted on.
        inFlightAtKill.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(Concurrency);
        foreach (var i in Enumerable.Range(0, Calls))
        {
            imports[Request(i).ShareToken].Should().Be(1, $"request {i} must reach Sumsub exactly once (answered before the kill: {firstRun.ContainsKey(i)}, in flight: {inFlightAtKill.Contains(i)})");
        }
        foreach (var i in inFlightAtKill)
        {
            secondRun[i].Should().Be(Sumsub.Imported($"crash-user-{i}")!.Id, "the retry returns the applicant the interrupted import created");
        }

        // The ledger is complete: every request's import is recorded with the applicant the caller got.
        var recorded = ledger.Where(e => e.Outcome == "OK").ToLookup(e => e.RequestId);
        foreach (var i in Enumerable.Range(0, Calls))
        {
            recorded[Request(i).RequestId].Should().NotBeEmpty($"request {i} was answered, so its import is in the ledger")
                .And.OnlyContain(e => e.ApplicantId == secondRun[i]);
        }
    }

    private static async Task<IReadOnlyList<ShareEvent>> ReadLedgerAsync(GrpcWireClient client)
    {
        var events = new List<ShareEvent>();
        var request = new ListShareEventsRequest { PageSize = 1000 };
        do
        {
            var page = await client.UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents", request, ListShareEventsResponse.Parser,
                cancellationToken: TestContext.Current.CancellationToken);
            page.StatusCode.Should().Be(0, page.StatusMessage);
            events.AddRange(page.Response!.Events);
            request.PageToken = page.Response.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        return events;
    }

    /// <summary>Runs every call (Concurrency at a time); records each OK answer's applicant id; stops issuing once cancelled.</summary>
    private static async Task RunAllAsync(GrpcWireClient client, ConcurrentDictionary<int, string> answers, CancellationToken stop)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Calls && !stop.IsCancellationRequested)
            {
                try
                {
                    var call = await client.ImportApplicant(Request(i), TimeSpan.FromSeconds(30));
                    call.StatusCode.Should().Be(0, call.StatusMessage);
                    answers[i] = call.Response!.Applicant.Id;
                }
                catch (Exception e) when (stop.IsCancellationRequested && e is HttpRequestException or IOException or InvalidDataException)
                {
                    // The host was killed under this call: it has no answer.
                }
            }
        }));
    }

    private Dictionary<string, int> ImportsByToken() =>
        Sumsub.Requests
            .Where(r => r.Path == FakeSumsub.ImportPath)
            .GroupBy(r => HttpUtility.ParseQueryString(r.Target[r.Target.IndexOf('?', StringComparison.Ordinal)..])["shareToken"]!)
            .ToDictionary(g => g.Key, g => g.Count());
}
