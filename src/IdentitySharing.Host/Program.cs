using IdentitySharing.Host;
using IdentitySharing.Host.Logging;

// Log lines leave in batches, one write(2) per batch (see BatchedStdout); disposing writes the rest.
using var stdout = BatchedStdout.InstallAsConsoleOut();
try
{
    var app = await IdentitySharingApp.BuildAsync(args).ConfigureAwait(false);
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (InvalidConfigurationException problems)
{
    // Reported before listening, all at once, and the process exits non-zero.
    await Console.Error.WriteLineAsync(problems.Message).ConfigureAwait(false);
    return 2;
}
