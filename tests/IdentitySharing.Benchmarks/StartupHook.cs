using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Loaded into the host by bench.sh through DOTNET_STARTUP_HOOKS, so the host needs no
/// benchmark code: every 250 ms it appends one line of runtime figures to the file named by
/// BENCH_STATS_FILE — unix ms, thread-pool threads, queued work items, completed work items,
/// bytes allocated, gen0/gen1/gen2 collections, working set bytes.
/// </summary>
#pragma warning disable CA1050 // The runtime looks the hook up by this exact global name.
internal static class StartupHook
#pragma warning restore CA1050
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("BENCH_STATS_FILE");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var thread = new Thread(() => Sample(path)) { IsBackground = true, Name = "bench-stats" };
        thread.Start();
        if (Environment.GetEnvironmentVariable("BENCH_ALLOC_TYPES") == "1")
        {
            AllocationSampler.Start(path + ".types");
        }
    }

    private static void Sample(string path)
    {
        using var writer = new StreamWriter(path, append: false) { AutoFlush = true };
        using var process = Process.GetCurrentProcess();
        while (true)
        {
            process.Refresh();
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} {ThreadPool.ThreadCount} {ThreadPool.PendingWorkItemCount} {ThreadPool.CompletedWorkItemCount} {GC.GetTotalAllocatedBytes()} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {process.WorkingSet64}"));
            Thread.Sleep(250);
        }
    }
}

/// <summary>Counts the runtime's allocation-tick samples (one per ~100 KB allocated) by type, to see what a call allocates.</summary>
internal sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _bytesByType = new();

    public static void Start(string path)
    {
        var sampler = new AllocationSampler();
        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(2000);
                var lines = sampler._bytesByType.OrderByDescending(p => p.Value).Take(30).Select(p => $"{p.Value,8} {p.Key}");
                File.WriteAllLines(path, lines);
            }
        }) { IsBackground = true };
        thread.Start();
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && eventData.Payload is { } payload)
        {
            var index = eventData.PayloadNames!.IndexOf("TypeName");
            if (index >= 0 && payload[index] is string type)
            {
                _bytesByType.AddOrUpdate(type, 1, (_, n) => n + 1);
            }
        }
    }
}
