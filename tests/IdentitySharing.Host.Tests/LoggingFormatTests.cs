using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace IdentitySharing.Host.Tests;

/// <summary>Production logs are JSON lines unless <c>Logging:Format</c> says otherwise.</summary>
public sealed class LoggingFormatTests
{
    [Theory]
    [InlineData("Production", null, "json")]
    [InlineData("Development", null, "simple")]
    [InlineData("Production", "simple", "simple")]
    [InlineData("Development", "json", "json")]
    public async Task The_console_formatter_follows_the_environment_and_logging_format(string environment, string? format, string expected)
    {
        List<string> args =
        [
            "--urls=http://127.0.0.1:0", $"--environment={environment}",
            "--Sumsub:Accounts:main:AppToken=sbx:format-probe", "--Sumsub:Accounts:main:SecretKey=format-probe",
            "--Banxa:ApiKey=format-probe", "--Banxa:ApiSecret=format-probe", "--Auth:AllowAnonymous=true",
        ];
        if (format is not null)
        {
            args.Add($"--Logging:Format={format}");
        }

        await using var app = await IdentitySharingApp.BuildAsync([.. args]);

        app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName.Should().Be(expected);
    }
}
