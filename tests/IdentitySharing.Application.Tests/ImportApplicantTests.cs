using IdentitySharing.Application.Common;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using NSubstitute;

namespace IdentitySharing.Application.Tests;

public sealed class ImportApplicantTests : IDisposable
{
    private static readonly ImportedApplicant Imported = new("63e0a1b2c3d4e5f6a7b8c9d0", "our.client", "user-7", App.Now, "basic-kyc-level", "init");

    private readonly App _app = new();

    public ImportApplicantTests() =>
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Success(Imported));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Imports_with_exactly_the_requested_values_and_returns_sumsubs_applicant()
    {
        using var cancellation = new CancellationTokenSource();

        var result = await _app.SendWith(
            new ImportApplicantCommand("_act-partner-token", ["SELFIE", "IDENTITY"], "user-7", "basic-kyc-level", "eu", "req-9"),
            cancellation.Token);

        result.Value.Should().BeSameAs(Imported);
        await _app.Sumsub.Received(1).ImportApplicantAsync(
            App.EuAccount,
            Arg.Is<ApplicantImport>(import =>
                import.ShareToken == ShareToken.Create("_act-partner-token")
                && import.ResetIdDocSetTypes.SequenceEqual(new[] { DocumentSetType.Create("SELFIE"), DocumentSetType.Create("IDENTITY") })
                && import.UserId == ExternalUserId.Create("user-7")
                && import.LevelName == LevelName.Create("basic-kyc-level")),
            cancellation.Token);
    }

    [Fact]
    public async Task Empty_optional_fields_are_not_sent_and_the_default_account_is_used()
    {
        await _app.Send(new ImportApplicantCommand("tok", [], "", null, "", null));

        await _app.Sumsub.Received(1).ImportApplicantAsync(
            App.DefaultAccount,
            Arg.Is<ApplicantImport>(import =>
                import.ShareToken.Value == "tok" && import.ResetIdDocSetTypes.Count == 0 && import.UserId == null && import.LevelName == null),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Reports_every_bad_field_and_entry_at_once_and_never_calls_sumsub()
    {
        var result = await _app.Send(new ImportApplicantCommand(
            "", ["SELFIE", "selfie", "SELFIE", ""], "user\n7", "level/2", "nope", "req 1"));

        result.ValidationViolations().Should().Equal(
            new FieldViolation("share_token", "is required"),
            new FieldViolation("reset_id_doc_set_types[1]", "must contain only upper-case letters, digits and underscore"),
            new FieldViolation("reset_id_doc_set_types[2]", "duplicates entry 0"),
            new FieldViolation("reset_id_doc_set_types[3]", "is required"),
            new FieldViolation("user_id", "must not contain control characters or broken Unicode"),
            new FieldViolation("level_name", "must contain only letters, digits, space, underscore, dot and hyphen"),
            new FieldViolation("account", App.UnknownAccountViolation),
            new FieldViolation("request_id", "must contain only printable ASCII without spaces"));
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task More_than_20_document_set_types_is_one_violation_on_the_list()
    {
        var types = Enumerable.Range(0, 21).Select(i => $"TYPE_{i}").ToArray();

        var result = await _app.Send(new ImportApplicantCommand("tok", types, null, null, null, null));

        result.ValidationViolations().Should().Equal(new FieldViolation("reset_id_doc_set_types", "must have at most 20 entries (got 21)"));
        await _app.Sumsub.DidNotReceiveWithAnyArgs().ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_share_token_over_1024_characters_is_rejected()
    {
        var result = await _app.Send(new ImportApplicantCommand(new string('t', 1025), [], null, null, null, null));

        result.ValidationViolations().Should().Equal(new FieldViolation("share_token", "must be at most 1024 characters (got 1025)"));
    }

    [Fact]
    public async Task Sumsubs_error_comes_back_unchanged()
    {
        var rejected = new Error(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "The share token is invalid, expired or already used");
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Failure(rejected));

        var result = await _app.Send(new ImportApplicantCommand("tok", [], null, null, null, null));

        result.Error.Should().BeSameAs(rejected);
    }

    [Fact]
    public void The_command_never_prints_its_share_token()
    {
        var command = new ImportApplicantCommand("_act-very-secret", ["SELFIE"], "user-7", "basic", "eu", "req-1");

        command.ToString().Should().Be(
            "ImportApplicantCommand { ShareToken = [redacted], ResetIdDocSetTypes = [SELFIE], UserId = user-7, LevelName = basic, Account = eu, RequestId = req-1 }");
    }
}
