using IdentitySharing.Host;

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
