namespace PosMonitor.Core.Tests;

public class IdentifierTests
{
    [Theory]
    [InlineData("T-000001", true)]
    [InlineData("gw.alipay:2_b", true)]
    [InlineData("", false)]
    [InlineData("T-1\n", false)] // a regex's $ would let the final newline through
    [InlineData("T-1\r\n", false)]
    [InlineData("\nT-1", false)]
    [InlineData("T 1", false)]
    [InlineData("终端1", false)]
    public void Only_the_allowed_characters_make_an_identifier(string id, bool valid) => Assert.Equal(valid, Identifier.IsValid(id));

    [Fact]
    public void Sixty_four_characters_at_most() =>
        Assert.Equal((true, false), (Identifier.IsValid(new string('a', 64)), Identifier.IsValid(new string('a', 65))));
}
