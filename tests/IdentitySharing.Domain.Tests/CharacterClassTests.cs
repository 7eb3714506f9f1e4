using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

/// <summary>Each value object's own character class: what it takes and each kind of character it refuses.</summary>
public sealed class CharacterClassTests
{
    [Theory]
    [InlineData("5cb56e8e0a975a35f333cb83")]
    [InlineData("A")]
    [InlineData("abcXYZ0189")]
    public void ApplicantId_accepts_ascii_letters_and_digits(string value) =>
        ApplicantId.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("abc-def")]
    [InlineData("abc_def")]
    [InlineData("abc.def")]
    [InlineData("abc def")]
    [InlineData("abc/def")]
    [InlineData("abcé")]
    [InlineData("abc\U0001F600")]
    public void ApplicantId_rejects_anything_else(string value) =>
        ApplicantId.Validate(value).Should().Be("must contain only letters and digits");

    [Theory]
    [InlineData("banxa.com_5335")]
    [InlineData("partner-1")]
    [InlineData("Z")]
    public void ClientId_accepts_letters_digits_underscore_dot_hyphen(string value) =>
        ClientId.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("banxa com")]
    [InlineData("banxa/com")]
    [InlineData("banxa@com")]
    [InlineData("banxa:com")]
    [InlineData("bänxa")]
    public void ClientId_rejects_anything_else(string value) =>
        ClientId.Validate(value).Should().StartWith("must contain only");

    [Theory]
    [InlineData("default")]
    [InlineData("eu.main-2_b")]
    public void AccountName_accepts_letters_digits_underscore_dot_hyphen(string value) =>
        AccountName.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("eu main")]
    [InlineData("eu:main")]
    [InlineData("eu*")]
    [InlineData("ëu")]
    public void AccountName_rejects_anything_else(string value) =>
        AccountName.Validate(value).Should().StartWith("must contain only");

    [Theory]
    [InlineData("_act-JiN3zT0a1b2.c3~!#$%&'()*+,/:;<=>?@[]^`{|}")]
    [InlineData("!")]
    [InlineData("~")]
    public void ShareToken_accepts_visible_ascii(string value) =>
        ShareToken.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("tok en")]
    [InlineData("tokén")]
    [InlineData("tok\u00a0en")]
    public void ShareToken_rejects_spaces_and_non_ascii(string value) =>
        ShareToken.Validate(value).Should().Be("must contain only printable ASCII without spaces");

    [Theory]
    [InlineData("customer-42")]
    [InlineData("ABC-def-123")]
    public void IdentityReference_accepts_letters_digits_hyphen(string value) =>
        IdentityReference.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("customer_42")]
    [InlineData("customer.42")]
    [InlineData("customer 42")]
    [InlineData("a@b.com")]
    [InlineData("kunde-ø")]
    public void IdentityReference_rejects_anything_else(string value) =>
        IdentityReference.Validate(value).Should().Be("must contain only letters, digits and hyphen");

    [Theory]
    [InlineData("SELFIE")]
    [InlineData("IDENTITY")]
    [InlineData("PROOF_OF_RESIDENCE")]
    [InlineData("ID2")]
    public void DocumentSetType_accepts_upper_case_letters_digits_underscore(string value) =>
        DocumentSetType.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("selfie")]
    [InlineData("SELFIE,IDENTITY")]
    [InlineData("SELFIE IDENTITY")]
    [InlineData("PROOF-OF-RESIDENCE")]
    [InlineData("SELFİE")]
    public void DocumentSetType_rejects_anything_else(string value) =>
        DocumentSetType.Validate(value).Should().Be("must contain only upper-case letters, digits and underscore");

    [Theory]
    [InlineData("basic-kyc-level")]
    [InlineData("Level 2_b.v3")]
    public void LevelName_accepts_letters_digits_space_underscore_dot_hyphen(string value) =>
        LevelName.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("level/2")]
    [InlineData("level&2")]
    [InlineData("nível")]
    public void LevelName_rejects_anything_else(string value) =>
        LevelName.Validate(value).Should().StartWith("must contain only");

    [Theory]
    [InlineData("user 42 / Zürich")]
    [InlineData("ユーザー")]
    [InlineData("emoji \U0001F600 pair")]
    [InlineData("a+b@c.d")]
    public void ExternalUserId_accepts_printable_unicode_including_surrogate_pairs(string value) =>
        ExternalUserId.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("0b1c6c3e-5f3f-4c52-9a4c-1b0f7e8b9d10")]
    [InlineData("!~")]
    public void RequestId_accepts_visible_ascii(string value) =>
        RequestId.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("req 1")]
    [InlineData("req-é")]
    public void RequestId_rejects_spaces_and_non_ascii(string value) =>
        RequestId.Validate(value).Should().Be("must contain only printable ASCII without spaces");

    private const string Emoji = "\U0001F600"; // one character, two UTF-16 units, four UTF-8 bytes

    [Theory]
    [InlineData(200)]
    [InlineData(ExternalUserId.MaxLength)]
    public void User_id_length_counts_characters_so_emoji_count_one_each(int count)
    {
        var emoji = string.Concat(Enumerable.Repeat(Emoji, count));

        ExternalUserId.Validate(emoji).Should().BeNull();
        ExternalUserId.Create(emoji).Value.Should().Be(emoji);
    }

    [Fact]
    public void User_id_over_the_limit_in_characters_is_rejected_with_the_character_count()
    {
        var emoji = string.Concat(Enumerable.Repeat(Emoji, ExternalUserId.MaxLength));

        ExternalUserId.Validate(emoji + "x").Should().Be("must be at most 256 characters (got 257)");
        ExternalUserId.Validate(emoji + Emoji).Should().Be("must be at most 256 characters (got 257)");
    }

    [Fact]
    public void Email_length_counts_characters_so_a_non_ascii_address_of_200_characters_is_accepted()
    {
        // 198 characters before "@x": 99 emoji and 99 letters, 297 UTF-16 units in all.
        var local = string.Concat(Enumerable.Repeat(Emoji + "a", 99));
        var email = local + "@x";

        EmailAddress.Validate(email).Should().BeNull();
        EmailAddress.Validate(Emoji + email).Should().Be("must be at most 200 characters (got 201)");
    }

    [Fact]
    public void Ascii_only_rules_still_reject_non_ascii_within_the_length()
    {
        // 64 emoji are 64 characters (within ApplicantId's 64) but not letters or digits.
        ApplicantId.Validate(string.Concat(Enumerable.Repeat(Emoji, ApplicantId.MaxLength))).Should().Be("must contain only letters and digits");
    }

    [Fact]
    public void An_unpaired_surrogate_counts_one_character_and_is_still_rejected()
    {
        TextRules.CharacterCount("a\uD83Db").Should().Be(3);
        TextRules.CharacterCount("a" + Emoji + "b").Should().Be(3);
        ExternalUserId.Validate(new string('\uD83D', ExternalUserId.MaxLength)).Should().Be(TextRules.NoControlCharacters);
        ExternalUserId.Validate(new string('\uD83D', ExternalUserId.MaxLength + 1)).Should().Be("must be at most 256 characters (got 257)");
    }
}
