using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

public sealed class DocumentSetTypeListTests
{
    [Fact]
    public void Empty_and_null_are_valid_and_create_an_empty_list()
    {
        DocumentSetTypeList.Validate([]).Should().BeEmpty();
        DocumentSetTypeList.Validate(null).Should().BeEmpty();
        DocumentSetTypeList.Create(null).Should().BeEmpty();
    }

    [Fact]
    public void Exactly_the_maximum_count_of_distinct_types_is_valid()
    {
        var types = Enumerable.Range(0, DocumentSetTypeList.MaxCount).Select(i => $"TYPE_{i}").ToArray();

        DocumentSetTypeList.Validate(types).Should().BeEmpty();
        DocumentSetTypeList.Create(types).Select(t => t.Value).Should().Equal(types);
    }

    [Fact]
    public void One_over_the_maximum_is_one_violation_for_the_whole_list()
    {
        var types = Enumerable.Range(0, DocumentSetTypeList.MaxCount + 1).Select(i => i == 3 ? "bad" : $"TYPE_{i}").ToArray();

        DocumentSetTypeList.Validate(types).Should().Equal(new ListViolation(null, "must have at most 20 entries (got 21)"));
    }

    [Fact]
    public void Reports_every_bad_entry_by_index()
    {
        string?[] types = ["SELFIE", "selfie", "IDENTITY", "", "SELFIE", null, "IDENTITY"];

        DocumentSetTypeList.Validate(types).Should().Equal(
            new ListViolation(1, "must contain only upper-case letters, digits and underscore"),
            new ListViolation(3, "is required"),
            new ListViolation(4, "duplicates entry 0"),
            new ListViolation(5, "is required"),
            new ListViolation(6, "duplicates entry 2"));
    }

    [Fact]
    public void Create_rejects_an_invalid_list()
    {
        var create = () => DocumentSetTypeList.Create(["SELFIE", "SELFIE"]);

        create.Should().Throw<ArgumentException>();
    }
}
