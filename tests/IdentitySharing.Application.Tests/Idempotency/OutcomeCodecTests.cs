using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;

namespace IdentitySharing.Application.Tests.Idempotency;

public sealed class OutcomeCodecTests
{
    [Fact]
    public void Every_use_case_value_survives_the_round_trip()
    {
        var generated = new ShareTokenGenerated(ShareToken.Create("_act-minted"), ClientId.Create("partner"), App.Now.AddMinutes(20));
        var applicant = new ImportedApplicant("applicant1", null, "user-1", null, "basic", null);
        var reference = IdentityReference.Create("customer-42");

        var tokenCodec = new ShareTokenGeneratedCodec();
        var applicantCodec = new ImportedApplicantCodec();
        var referenceCodec = new IdentityReferenceCodec();

        tokenCodec.Decode(tokenCodec.Encode(generated)).Value.Should().Be(generated);
        applicantCodec.Decode(applicantCodec.Encode(applicant)).Value.Should().Be(applicant);
        referenceCodec.Decode(referenceCodec.Encode(reference)).Value.Should().Be(reference);
    }

    [Fact]
    public void An_error_survives_with_its_field_violations_and_upstream_details()
    {
        var error = new Error(ErrorKind.Validation, "INVALID_REQUEST", "Banxa rejected email")
        {
            FieldViolations = [new FieldViolation("email", "is already registered")],
            Upstream = new UpstreamFailure("banxa", 422, null, "corr-9"),
        };
        var codec = new IdentityReferenceCodec();

        var decoded = codec.Decode(codec.Encode(error)).Error;

        decoded.Should().BeEquivalentTo(error);
    }
}
