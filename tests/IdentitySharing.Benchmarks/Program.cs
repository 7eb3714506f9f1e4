using System.Globalization;
using BenchmarkDotNet.Running;
using IdentitySharing.Benchmarks;

// Modes for build/bench.sh:
//   bare URL                   the bare-Kestrel gRPC ceiling server
//   sumsub-fake URL [DELAY_MS] the Sumsub share-token stand-in
//   anything else              BenchmarkDotNet (e.g. --filter '*')
switch (args)
{
    case ["bare", var url]:
        await BareKestrelServer.RunAsync(url);
        break;
    case ["sumsub-fake", var url, ..]:
        var delayMs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        await SumsubFakeServer.RunAsync(url, TimeSpan.FromMilliseconds(delayMs));
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(BareKestrelServer).Assembly).Run(args);
        break;
}
