using BenchmarkDotNet.Running;
using IdentitySharing.Benchmarks;

// `bare URL` runs the bare-Kestrel ceiling server; anything else goes to BenchmarkDotNet.
if (args.Length == 2 && args[0] == "bare")
{
    await BareKestrelServer.RunAsync(args[1]);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(BareKestrelServer).Assembly).Run(args);
