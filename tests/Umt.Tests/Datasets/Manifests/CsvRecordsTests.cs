using Umt.Plugins.Datasets.Manifests;

namespace Umt.Tests.Datasets.Manifests;

/// <summary>RFC 4180 records with the line each one starts on.</summary>
public sealed class CsvRecordsTests
{
    private static CsvRecord[] Read(string text, char separator = ',') => CsvRecords.Read(new StringReader(text), separator).ToArray();

    [Fact]
    public void Plain_fields_split_at_the_separator()
    {
        var records = Read("a,b,c\n1,,3\n");

        records.Select(r => r.Fields).Should().BeEquivalentTo(new[] { new[] { "a", "b", "c" }, new[] { "1", "", "3" } }, o => o.WithStrictOrdering());
        records.Select(r => r.Line).Should().Equal(1, 2);
        records.Should().OnlyContain(r => r.Error == null);
    }

    [Fact]
    public void Quoted_fields_keep_separators_and_doubled_quotes()
    {
        var record = Read("\"a, b\",\"say \"\"hi\"\"\",\"\",x\n").Single();

        record.Fields.Should().Equal("a, b", "say \"hi\"", "", "x");
    }

    [Fact]
    public void Newline_inside_quotes_continues_the_record_which_reports_its_start_line()
    {
        var records = Read("h1,h2\n1,\"two\nlines\"\n\n3,\"x\r\n\r\ny\"\n4,z");

        records.Select(r => r.Line).Should().Equal(1, 2, 5, 8);
        records[1].Fields.Should().Equal("1", "two\nlines");
        records[1].Text.Should().Be("1,\"two\nlines\"");
        records[2].Fields.Should().Equal(["3", "x\n\ny"], "a blank line inside quotes is part of the field");
        records[3].Fields.Should().Equal("4", "z");
    }

    [Fact]
    public void Blank_lines_are_skipped_and_line_numbers_still_count_them()
    {
        var records = Read("\n\na,b\n   \n\r\nc,d\r\n");

        records.Select(r => r.Line).Should().Equal(3, 6);
        records[1].Fields.Should().Equal("c", "d");
    }

    [Fact]
    public void Crlf_line_ends_leave_no_carriage_return_in_fields()
    {
        var records = Read("a,b\r\nc,\"d\"\r\n");

        records[0].Fields.Should().Equal("a", "b");
        records[1].Fields.Should().Equal("c", "d");
    }

    [Fact]
    public void Unterminated_quote_at_end_of_file_is_an_error_record_not_an_exception()
    {
        var records = Read("a,b\nc,\"never closed\nmore\n");

        records.Should().HaveCount(2);
        records[1].Line.Should().Be(2);
        records[1].Error.Should().StartWith("unterminated quote");
        records[0].Error.Should().BeNull();
    }

    [Fact]
    public void Quotes_inside_unquoted_fields_are_literal()
    {
        Read("ab\"c,d\n").Single().Fields.Should().Equal("ab\"c", "d");
    }

    [Fact]
    public void Tab_separator_leaves_commas_alone()
    {
        Read("a, b\thttp://x/y.jpg\n", '\t').Single().Fields.Should().Equal("a, b", "http://x/y.jpg");
    }

    [Fact]
    public void Quote_cannot_be_the_separator()
    {
        var act = () => CsvRecords.Read(new StringReader(""), '"');

        act.Should().Throw<ArgumentException>();
    }
}
