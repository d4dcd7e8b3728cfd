using System.Globalization;

namespace MlNetLlm.ChatTemplates;

/// <summary>
/// Recursive-descent parser for the Jinja subset of chat templates, with Jinja's precedence (lowest first):
/// <c>x if c else y</c>, <c>or</c>, <c>and</c>, <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>,
/// <c>* / // %</c>, unary <c>-</c>, then postfix <c>.attr [key] [a:b] (args)</c>, <c>| filter</c> and <c>is test</c>.
/// </summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];
    private readonly List<Token> _tokens;
    private int _next;

    private JinjaParser(List<Token> tokens) => _tokens = tokens;

    public static IReadOnlyList<Node> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        using var budget = RenderBudget.Start(CancellationToken.None); // bounds the parser's recursion by ChatTemplateLimits.MaxDepth
        return parser.ParseBody();
    }

    private Token Peek(int ahead = 0) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private Token Take() => _tokens[_next++];

    private bool TakeIf(TokenKind kind, string text)
    {
        if (!Peek().Is(kind, text)) return false;
        _next++;
        return true;
    }

    private Token Expect(TokenKind kind, string? text = null)
    {
        var token = Peek();
        if (token.Kind != kind || (text is not null && token.Text != text))
            throw JinjaLexer.Error(token.Offset, $"expected {text ?? kind.ToString()} but found '{token.Text}'");
        return Take();
    }

    private string ExpectName() => Expect(TokenKind.Name).Text;

    // Nodes up to the end of the template, or up to a {% stop %} tag (left unconsumed).
    private List<Node> ParseBody(params string[] stops)
    {
        using var level = RenderBudget.Nest();
        var nodes = new List<Node>();
        while (true)
        {
            var token = Peek();
            switch (token.Kind)
            {
                case TokenKind.End when stops.Length == 0:
                    return nodes;
                case TokenKind.End:
                    throw JinjaLexer.Error(token.Offset, $"missing {{% {stops[^1]} %}}");
                case TokenKind.Text:
                    nodes.Add(new TextNode(Take().Text));
                    break;
                case TokenKind.OpenExpression:
                    Take();
                    nodes.Add(new OutputNode(ParseExpression()));
                    Expect(TokenKind.CloseExpression);
                    break;
                case TokenKind.OpenStatement when Peek(1).Kind == TokenKind.Name && stops.Contains(Peek(1).Text):
                    return nodes;
                case TokenKind.OpenStatement:
                    Take();
                    nodes.Add(ParseStatement());
                    break;
                default:
                    throw JinjaLexer.Error(token.Offset, $"unexpected '{token.Text}'");
            }
        }
    }

    // Consumes "{% keyword" of a stop tag found by ParseBody.
    private string TakeStop()
    {
        Expect(TokenKind.OpenStatement);
        return ExpectName();
    }

    private Node ParseStatement()
    {
        var keyword = Expect(TokenKind.Name);
        switch (keyword.Text)
        {
            case "if":
                return ParseIf();
            case "for":
                var variables = new List<string> { ExpectName() };
                while (TakeIf(TokenKind.Punct, ",")) variables.Add(ExpectName());
                Expect(TokenKind.Name, "in");
                var iterable = ParseOr();
                var filter = TakeIf(TokenKind.Name, "if") ? ParseOr() : null;
                Expect(TokenKind.CloseStatement);
                var body = ParseBody("else", "endfor");
                List<Node> otherwise = [];
                if (TakeStop() == "else")
                {
                    Expect(TokenKind.CloseStatement);
                    otherwise = ParseBody("endfor");
                    TakeStop();
                }
                Expect(TokenKind.CloseStatement);
                return new ForNode(variables, iterable, filter, body, otherwise);
            case "set":
                var name = ExpectName();
                var attribute = TakeIf(TokenKind.Punct, ".") ? ExpectName() : null;
                if (Peek().Kind == TokenKind.CloseStatement)
                    throw new NotSupportedException("Chat template block assignments ('{% set x %}...{% endset %}') are not supported.");
                Expect(TokenKind.Punct, "=");
                var value = ParseExpression();
                Expect(TokenKind.CloseStatement);
                return new SetNode(name, attribute, value);
            case "elif" or "else" or "endif" or "endfor":
                throw JinjaLexer.Error(keyword.Offset, $"'{{% {keyword.Text} %}}' without a matching opening tag");
            default:
                throw new NotSupportedException($"The chat template statement '{{% {keyword.Text} %}}' is not supported (supported: if, for, set).");
        }
    }

    // After "{% if" or "{% elif".
    private Node ParseIf()
    {
        var condition = ParseExpression();
        Expect(TokenKind.CloseStatement);
        var then = ParseBody("elif", "else", "endif");
        List<Node> otherwise = [];
        switch (TakeStop())
        {
            case "elif":
                otherwise = [ParseIf()];
                return new IfNode(condition, then, otherwise);
            case "else":
                Expect(TokenKind.CloseStatement);
                otherwise = ParseBody("endif");
                TakeStop();
                break;
        }
        Expect(TokenKind.CloseStatement);
        return new IfNode(condition, then, otherwise);
    }

    private Expr ParseExpression()
    {
        using var level = RenderBudget.Nest();
        var value = ParseOr();
        if (!TakeIf(TokenKind.Name, "if")) return value;
        var condition = ParseOr();
        return new ConditionalExpr(condition, value, TakeIf(TokenKind.Name, "else") ? ParseExpression() : null);
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (TakeIf(TokenKind.Name, "or")) left = new BinaryExpr("or", left, ParseAnd());
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (TakeIf(TokenKind.Name, "and")) left = new BinaryExpr("and", left, ParseNot());
        return left;
    }

    private Expr ParseNot()
    {
        using var level = RenderBudget.Nest();
        return TakeIf(TokenKind.Name, "not") ? new UnaryExpr("not", ParseNot()) : ParseComparison();
    }

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var token = Peek();
            if (token.Kind == TokenKind.Punct && Comparisons.Contains(token.Text)) left = new BinaryExpr(Take().Text, left, ParseAdditive());
            else if (TakeIf(TokenKind.Name, "in")) left = new BinaryExpr("in", left, ParseAdditive());
            else if (token.Is(TokenKind.Name, "not") && Peek(1).Is(TokenKind.Name, "in"))
            {
                _next += 2;
                left = new BinaryExpr("not in", left, ParseAdditive());
            }
            else return left;
        }
    }

    private Expr ParseAdditive() => ParseBinary(ParseConcat, "+", "-");

    private Expr ParseConcat() => ParseBinary(ParseMultiplicative, "~");

    private Expr ParseMultiplicative() => ParseBinary(ParseUnary, "*", "/", "//", "%");

    private Expr ParseBinary(Func<Expr> operand, params string[] operators)
    {
        var left = operand();
        while (Peek().Kind == TokenKind.Punct && operators.Contains(Peek().Text)) left = new BinaryExpr(Take().Text, left, operand());
        return left;
    }

    private Expr ParseUnary()
    {
        using var level = RenderBudget.Nest();
        if (Peek().Kind == TokenKind.Punct && Peek().Text is "-" or "+") return new UnaryExpr(Take().Text, ParseUnary());
        if (Peek().Is(TokenKind.Punct, "**"))
            throw new NotSupportedException("The chat template operator '**' is not supported.");
        var value = ParsePostfix(ParsePrimary());
        while (TakeIf(TokenKind.Punct, "|"))
        {
            var name = ExpectName();
            value = new FilterExpr(value, name, Peek().Is(TokenKind.Punct, "(") ? ParseArguments() : Arguments.None);
        }
        if (TakeIf(TokenKind.Name, "is"))
        {
            bool negated = TakeIf(TokenKind.Name, "not");
            var test = ExpectName();
            if (!JinjaBuiltins.IsTest(test))
                throw new NotSupportedException($"The chat template test 'is {test}' is not supported (supported: {JinjaBuiltins.Tests}).");
            value = new TestExpr(value, test, negated);
        }
        return value;
    }

    private Expr ParsePostfix(Expr value)
    {
        while (true)
        {
            if (TakeIf(TokenKind.Punct, ".")) value = new ItemExpr(value, new LiteralExpr(ExpectName()));
            else if (Peek().Is(TokenKind.Punct, "(")) value = new CallExpr(value, ParseArguments());
            else if (TakeIf(TokenKind.Punct, "["))
            {
                Expr? start = Peek().Is(TokenKind.Punct, ":") ? null : ParseExpression();
                if (TakeIf(TokenKind.Punct, ":"))
                {
                    Expr? stop = Peek().Kind == TokenKind.Punct && Peek().Text is ":" or "]" ? null : ParseExpression();
                    Expr? step = TakeIf(TokenKind.Punct, ":") && !Peek().Is(TokenKind.Punct, "]") ? ParseExpression() : null;
                    value = new SliceExpr(value, start, stop, step);
                }
                else value = new ItemExpr(value, start!);
                Expect(TokenKind.Punct, "]");
            }
            else return value;
        }
    }

    private Arguments ParseArguments()
    {
        Expect(TokenKind.Punct, "(");
        var positional = new List<Expr>();
        var keyword = new List<(string, Expr)>();
        while (!TakeIf(TokenKind.Punct, ")"))
        {
            if (positional.Count + keyword.Count > 0) Expect(TokenKind.Punct, ",");
            if (Peek().Kind == TokenKind.Name && Peek(1).Is(TokenKind.Punct, "="))
            {
                var name = Take().Text;
                Take();
                keyword.Add((name, ParseExpression()));
            }
            else positional.Add(ParseExpression());
        }
        return new Arguments(positional, keyword);
    }

    private Expr ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case TokenKind.String:
                var text = token.Text;
                while (Peek().Kind == TokenKind.String) text += Take().Text; // "a" "b" is "ab"
                return new LiteralExpr(text);
            case TokenKind.Integer:
                return new LiteralExpr(long.Parse(token.Text, CultureInfo.InvariantCulture));
            case TokenKind.Float:
                return new LiteralExpr(double.Parse(token.Text, CultureInfo.InvariantCulture));
            case TokenKind.Name:
                return token.Text switch
                {
                    "true" or "True" => new LiteralExpr(true),
                    "false" or "False" => new LiteralExpr(false),
                    "none" or "None" => new LiteralExpr(null),
                    _ => new VariableExpr(token.Text),
                };
            case TokenKind.Punct when token.Text == "(":
                var inner = ParseExpression();
                if (Peek().Is(TokenKind.Punct, ",")) throw new NotSupportedException("Chat template tuples ('(a, b)') are not supported.");
                Expect(TokenKind.Punct, ")");
                return inner;
            case TokenKind.Punct when token.Text == "[":
                var items = new List<Expr>();
                while (!TakeIf(TokenKind.Punct, "]"))
                {
                    if (items.Count > 0) Expect(TokenKind.Punct, ",");
                    if (TakeIf(TokenKind.Punct, "]")) break; // trailing comma
                    items.Add(ParseExpression());
                }
                return new ListExpr(items);
            case TokenKind.Punct when token.Text == "{":
                var pairs = new List<(Expr, Expr)>();
                while (!TakeIf(TokenKind.Punct, "}"))
                {
                    if (pairs.Count > 0) Expect(TokenKind.Punct, ",");
                    if (TakeIf(TokenKind.Punct, "}")) break;
                    var key = ParseExpression();
                    Expect(TokenKind.Punct, ":");
                    pairs.Add((key, ParseExpression()));
                }
                return new DictExpr(pairs);
            default:
                throw JinjaLexer.Error(token.Offset, $"unexpected '{token.Text}'");
        }
    }
}
