using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

/// <summary>The rules every string value object shares: presence, length limit, no control characters, factories agree with Validate.</summary>
public sealed class StringValueRuleTests
{
    public static TheoryData<StringRule> Rules => new(StringRule.All);

    /// <summary>Characters no value object accepts, whatever its character class.</summary>
    public static TheoryData<StringRule, string> RulesWithForbiddenCharacters()
    {
        string[] forbidden =
        [
            "\0", "\t", "\n", "\r", "\u001b", "\u001f", "\u007f", // C0 and DEL
            "\u0085", "\u009f",                                     // C1
            "\u200b", "\u200e", "\u202e", "\u2066", "\ufeff",       // zero-width, bidi controls, BOM
            "\u2028", "\u2029",                                     // line and paragraph separators
            "\ud800", "\udc00", "\udc00\ud800",                     // unpaired / reversed surrogates
        ];
        var data = new TheoryData<StringRule, string>();
        foreach (var rule in StringRule.All)
        {
            foreach (var character in forbidden)
            {
                data.Add(rule, character);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Accepts_a_value_of_exactly_the_maximum_length(StringRule rule)
    {
        var value = rule.ValidOfLength(rule.MaxLength);

        rule.Validate(value).Should().BeNull();
        rule.Create(value).Value.Should().NotBeNullOrEmpty();
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rejects_a_value_one_character_over_the_maximum(StringRule rule)
    {
        var value = rule.ValidOfLength(rule.MaxLength + 1);

        rule.Validate(value).Should().StartWith(rule.OverMaxViolation);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Rejects_null_and_empty_as_required(StringRule rule)
    {
        rule.Validate(null).Should().Be(TextRules.Required);
        rule.Validate("").Should().Be(TextRules.Required);
        rule.TryCreate(null).Should().Be((false, (StringValue?)null, TextRules.Required));
        rule.TryCreate("").Should().Be((false, (StringValue?)null, TextRules.Required));
    }

    [Theory]
    [MemberData(nameof(RulesWithForbiddenCharacters))]
    public void Rejects_control_formatting_and_broken_unicode_characters(StringRule rule, string forbidden)
    {
        var valid = rule.ValidOfLength(10);
        var value = valid[..5] + forbidden + valid[5..];

        rule.Validate(value).Should().Be(TextRules.NoControlCharacters);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void TryCreate_and_Create_agree_with_Validate(StringRule rule)
    {
        var valid = rule.ValidOfLength(10);
        var invalid = rule.ValidOfLength(rule.MaxLength + 1);

        rule.TryCreate(valid).Ok.Should().BeTrue();
        rule.TryCreate(valid).Error.Should().BeNull();
        rule.TryCreate(invalid).Should().Be((false, (StringValue?)null, rule.Validate(invalid)));
        var create = () => rule.Create(invalid);
        create.Should().Throw<ArgumentException>().Which.Message.Should().StartWith(rule.Name);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Create_failure_never_quotes_the_value(StringRule rule)
    {
        const string Secret = "Secret\u0001Value";

        var create = () => rule.Create(Secret);

        create.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("Secret");
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Values_are_equal_by_type_and_content(StringRule rule)
    {
        var value = rule.ValidOfLength(10);

        rule.Create(value).Should().Be(rule.Create(value));
        rule.Create(value).Should().NotBe(rule.Create(rule.ValidOfLength(11)));
    }

    [Fact]
    public void Different_value_object_types_with_the_same_text_are_not_equal()
    {
        ApplicantId.Create("abc").Should().NotBe((StringValue)ClientId.Create("abc"));
    }
}
