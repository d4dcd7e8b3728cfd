using System.Diagnostics;

namespace MlNetLlm.Tests.Reliability;

/// <summary>
/// Chat templates come with downloaded models, so they are hostile input: each limit of <see cref="ChatTemplateLimits"/>
/// ends a runaway template with a <see cref="ChatTemplateLimitException"/> naming it, while what Jinja computes lazily
/// (<c>range</c>) still gives Jinja's answer. The cases that would overflow the stack run in <see cref="ChildProcessTests"/>.
/// </summary>
public class TemplateLimitTests
{
    private static string Render(string template, Dictionary<string, object?>? variables = null, CancellationToken cancellationToken = default) =>
        ChatTemplate.Parse(template).Render(variables ?? [], cancellationToken);

    [Theory]
    [InlineData("{{ range(1000000000) | length }}", "1000000000")]
    [InlineData("{{ range(5, 1000000000, 7) | length }}", "142857143")]
    [InlineData("{{ range(1000000000) | last }}", "999999999")]
    [InlineData("{{ range(1000000000) | first }}", "0")]
    [InlineData("{{ range(10, 0, -3) | list | join(',') }}", "10,7,4,1")]
    [InlineData("{{ range(0) | length }}{% for i in range(0) %}x{% else %}empty{% endfor %}", "0empty")]
    public void LazyRange_GivesJinjasAnswerWithoutMaterializing(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{% for i in range(1000000000) %}{% endfor %}", nameof(ChatTemplateLimits.MaxLoopIterations))]
    [InlineData("{% for i in range(1000000000) if i < 0 %}{% endfor %}", nameof(ChatTemplateLimits.MaxLoopIterations))]
    [InlineData("{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}", nameof(ChatTemplateLimits.MaxLoopIterations))]
    [InlineData("{{ range(1000000000) | join('') }}", nameof(ChatTemplateLimits.MaxOutputLength))]
    [InlineData("{{ range(1000000000) | list | length }}", nameof(ChatTemplateLimits.MaxListLength))]
    [InlineData("{{ range(9223372036854775807) | length }}", nameof(ChatTemplateLimits.MaxListLength))]
    [InlineData("{% for i in range(500000) %}0123456789{% endfor %}", nameof(ChatTemplateLimits.MaxOutputLength))]
    [InlineData("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", nameof(ChatTemplateLimits.MaxOutputLength))]
    [InlineData("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s.replace('a', 'aaaa') %}{% endfor %}", nameof(ChatTemplateLimits.MaxOutputLength))]
    [InlineData("{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}", nameof(ChatTemplateLimits.MaxListLength))]
    public void RunawayTemplate_StopsAtTheNamedLimit(string template, string limit)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ChatTemplateLimitException>(() => Render(template));

        Assert.Equal(limit, e.Limit);
        Assert.Contains("ChatTemplateLimits." + limit, e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public void NestingBeyondMaxDepth_IsRejectedAtParse()
    {
        var deep = "{{ " + new string('(', 150) + "1" + new string(')', 150) + " }}";
        var e = Assert.Throws<ChatTemplateLimitException>(() => ChatTemplate.Parse(deep));
        Assert.Equal(nameof(ChatTemplateLimits.MaxDepth), e.Limit);
    }

    [Fact]
    public void NestingWellWithinMaxDepth_StillRenders()
    {
        var nested = string.Concat(Enumerable.Repeat("{% if true %}", 20)) + "{{ " + new string('(', 20) + "40 + 2" + new string(')', 20) + " }}"
                     + string.Concat(Enumerable.Repeat("{% endif %}", 20));
        Assert.Equal("42", Render(nested));
    }

    [Fact]
    public void Cancellation_IsCheckedWhileRendering()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var text = new string('x', 100_000);
        var clock = Stopwatch.StartNew();

        Assert.Throws<OperationCanceledException>(() =>
            Render("{% for i in range(900000) %}{% set n = (text ~ i) | length %}{% endfor %}", new() { ["text"] = text }, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {clock.Elapsed}");
    }

    [Fact]
    public void AlreadyCancelledToken_RendersNothing()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Throws<OperationCanceledException>(() => Render("{{ 'x' }}", null, cancel.Token));
    }
}
