using System.Text;
using static MlNetLlm.ChatTemplates.JinjaValues;

namespace MlNetLlm.ChatTemplates;

/// <summary>Variables visible to a part of a template; a <c>for</c> loop gets its own scope, as in Jinja.</summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> _variables = new();

    public object? this[string name]
    {
        get => _variables.TryGetValue(name, out var value) ? value : parent is null ? Undefined.Value : parent[name];
        set => _variables[name] = value;
    }
}

internal abstract class Node
{
    public abstract void Render(Scope scope, StringBuilder output);

    public static void RenderAll(IReadOnlyList<Node> nodes, Scope scope, StringBuilder output)
    {
        using var level = RenderBudget.Nest();
        foreach (var node in nodes)
        {
            node.Render(scope, output);
            RenderBudget.CheckLength(output.Length);
        }
    }
}

internal sealed class TextNode(string text) : Node
{
    public override void Render(Scope scope, StringBuilder output) => output.Append(text);
}

internal sealed class OutputNode(Expr value) : Node
{
    public override void Render(Scope scope, StringBuilder output) => output.Append(Str(value.Eval(scope)));
}

internal sealed class IfNode(Expr condition, IReadOnlyList<Node> then, IReadOnlyList<Node> otherwise) : Node
{
    public override void Render(Scope scope, StringBuilder output) =>
        RenderAll(Truthy(condition.Eval(scope)) ? then : otherwise, scope, output);
}

/// <summary><c>{% for x in xs %}</c>, or <c>{% for a, b in pairs %}</c> which unpacks each item (a list) into the variables.</summary>
internal sealed class ForNode(IReadOnlyList<string> variables, Expr iterable, Expr? filter, IReadOnlyList<Node> body, IReadOnlyList<Node> otherwise) : Node
{
    private void Assign(Scope scope, object? item)
    {
        if (variables.Count == 1)
        {
            scope[variables[0]] = item;
            return;
        }
        if (item is not List<object?> values || values.Count != variables.Count)
            throw new InvalidOperationException($"A chat template 'for {string.Join(", ", variables)}' loop needs items of {variables.Count} values.");
        for (int i = 0; i < variables.Count; i++) scope[variables[i]] = values[i];
    }

    public override void Render(Scope scope, StringBuilder output)
    {
        var inner = new Scope(scope);
        var items = Iterate(iterable.Eval(scope));
        if (filter is not null)
            items = items.Where(item =>
            {
                RenderBudget.Step();
                Assign(inner, item);
                return Truthy(filter.Eval(inner));
            }).ToList();
        for (int i = 0; i < items.Count; i++)
        {
            RenderBudget.Step();
            Assign(inner, items[i]);
            inner["loop"] = new Dictionary<string, object?>
            {
                ["index"] = (long)i + 1, ["index0"] = (long)i, ["first"] = i == 0, ["last"] = i == items.Count - 1,
                ["length"] = (long)items.Count, ["revindex"] = (long)(items.Count - i), ["revindex0"] = (long)(items.Count - i - 1),
                ["previtem"] = i > 0 ? items[i - 1] : Undefined.Value, ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Value,
            };
            RenderAll(body, inner, output);
        }
        if (items.Count == 0) RenderAll(otherwise, scope, output);
    }
}

internal sealed class SetNode(string name, string? attribute, Expr value) : Node
{
    public override void Render(Scope scope, StringBuilder output)
    {
        if (attribute is null) scope[name] = value.Eval(scope);
        else if (scope[name] is Namespace ns) ns[attribute] = value.Eval(scope);
        else throw new InvalidOperationException($"'{{% set {name}.{attribute} %}}' needs '{name}' to be a namespace().");
    }
}

internal abstract class Expr
{
    /// <summary>Evaluates within the render's budget: one nesting level, and strings and lists no longer than the limits.</summary>
    public object? Eval(Scope scope)
    {
        using var level = RenderBudget.Nest();
        var value = Evaluate(scope);
        if (value is string s) RenderBudget.CheckLength(s.Length);
        else if (value is List<object?> list) RenderBudget.CheckCount(list.Count);
        return value;
    }

    protected abstract object? Evaluate(Scope scope);
}

internal sealed class LiteralExpr(object? value) : Expr
{
    protected override object? Evaluate(Scope scope) => value;
}

internal sealed class VariableExpr(string name) : Expr
{
    public string Name => name;

    protected override object? Evaluate(Scope scope) => scope[name];
}

internal sealed class ListExpr(IReadOnlyList<Expr> items) : Expr
{
    protected override object? Evaluate(Scope scope) => items.Select(i => i.Eval(scope)).ToList();
}

internal sealed class DictExpr(IReadOnlyList<(Expr Key, Expr Value)> pairs) : Expr
{
    protected override object? Evaluate(Scope scope) => pairs.ToDictionary(
        p => p.Key.Eval(scope) as string ?? throw new InvalidOperationException("Chat template dictionary keys must be strings."),
        p => p.Value.Eval(scope));
}

/// <summary><c>x.name</c> and <c>x[key]</c>: a missing key or out-of-range index gives undefined, as in Jinja.</summary>
internal sealed class ItemExpr(Expr target, Expr key) : Expr
{
    public Expr Target => target;

    public Expr Key => key;

    protected override object? Evaluate(Scope scope) => Get(target.Eval(scope), key.Eval(scope));

    public static object? Get(object? value, object? key) => (value, key) switch
    {
        (Dictionary<string, object?> d, string k) => d.TryGetValue(k, out var v) ? v : Undefined.Value,
        (List<object?> list, long i) => i < 0 ? (i + list.Count >= 0 ? list[(int)(i + list.Count)] : Undefined.Value) : i < list.Count ? list[(int)i] : Undefined.Value,
        (string s, long i) => i < 0 ? (i + s.Length >= 0 ? s[(int)(i + s.Length)].ToString() : Undefined.Value) : i < s.Length ? s[(int)i].ToString() : Undefined.Value,
        _ => Undefined.Value,
    };
}

/// <summary><c>x[start:stop:step]</c> on lists and strings, with Python's rules for negative and missing bounds.</summary>
internal sealed class SliceExpr(Expr target, Expr? start, Expr? stop, Expr? step) : Expr
{
    protected override object? Evaluate(Scope scope)
    {
        var value = target.Eval(scope);
        var items = value switch
        {
            List<object?> list => list,
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            _ => throw new InvalidOperationException($"Cannot slice {TypeName(value)}."),
        };
        long by = step?.Eval(scope) is long s1 ? s1 : 1;
        if (by == 0) throw new InvalidOperationException("A slice step cannot be zero.");
        int n = items.Count;
        long Bound(Expr? e, long missing)
        {
            if (e?.Eval(scope) is not long i) return missing;
            if (i < 0) i += n;
            return by > 0 ? Math.Clamp(i, 0, n) : Math.Clamp(i, -1, n - 1);
        }
        long from = Bound(start, by > 0 ? 0 : n - 1), to = Bound(stop, by > 0 ? n : -1);
        var result = new List<object?>();
        for (long i = from; by > 0 ? i < to : i > to; i += by) result.Add(items[(int)i]);
        return value is string ? string.Concat(result.Cast<string>()) : result;
    }
}

internal sealed class UnaryExpr(string op, Expr operand) : Expr
{
    protected override object? Evaluate(Scope scope)
    {
        var value = operand.Eval(scope);
        return op switch
        {
            "not" => !Truthy(value),
            "-" => value switch
            {
                long l => (object)-l,
                double d => -d,
                _ => throw new InvalidOperationException($"Cannot negate {TypeName(value)}."),
            },
            _ => value,
        };
    }
}

internal sealed class BinaryExpr(string op, Expr left, Expr right) : Expr
{
    protected override object? Evaluate(Scope scope)
    {
        var a = left.Eval(scope);
        switch (op)
        {
            case "and": return Truthy(a) ? right.Eval(scope) : a;
            case "or": return Truthy(a) ? a : right.Eval(scope);
        }
        var b = right.Eval(scope);
        return op switch
        {
            "==" => AreEqual(a, b),
            "!=" => !AreEqual(a, b),
            "<" => Compare(a, b) < 0,
            ">" => Compare(a, b) > 0,
            "<=" => Compare(a, b) <= 0,
            ">=" => Compare(a, b) >= 0,
            "in" => Contains(b, a),
            "not in" => !Contains(b, a),
            "~" => Str(a) + Str(b),
            "+" when a is List<object?> x && b is List<object?> y => x.Concat(y).ToList(),
            "+" when a is string || b is string => Str(a) + Str(b),
            _ => Arithmetic(a, b),
        };
    }

    private object Arithmetic(object? a, object? b)
    {
        if (a is long x && b is long y)
            return op switch
            {
                "+" => (object)(x + y),
                "-" => x - y,
                "*" => x * y,
                "/" => (double)x / y,
                "//" => (long)Math.Floor((double)x / y),
                "%" => ((x % y) + y) % y,
                _ => throw new NotSupportedException($"The chat template operator '{op}' is not supported."),
            };
        if (a is long or double && b is long or double)
        {
            double p = Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture), q = Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture);
            return op switch
            {
                "+" => p + q,
                "-" => p - q,
                "*" => p * q,
                "/" => p / q,
                "//" => Math.Floor(p / q),
                "%" => p - q * Math.Floor(p / q),
                _ => throw new NotSupportedException($"The chat template operator '{op}' is not supported."),
            };
        }
        throw new InvalidOperationException($"Cannot apply '{op}' to {TypeName(a)} and {TypeName(b)} in a chat template.");
    }
}

internal sealed class ConditionalExpr(Expr condition, Expr then, Expr? otherwise) : Expr
{
    protected override object? Evaluate(Scope scope) =>
        Truthy(condition.Eval(scope)) ? then.Eval(scope) : otherwise is null ? Undefined.Value : otherwise.Eval(scope);
}

/// <summary>Arguments of a call, filter or test: positional, then keyword.</summary>
internal sealed record Arguments(IReadOnlyList<Expr> Positional, IReadOnlyList<(string Name, Expr Value)> Keyword)
{
    public static readonly Arguments None = new([], []);
}

internal sealed class CallExpr(Expr callee, Arguments arguments) : Expr
{
    protected override object? Evaluate(Scope scope)
    {
        var args = arguments.Positional.Select(a => a.Eval(scope)).ToList();
        var kwargs = arguments.Keyword.ToDictionary(k => k.Name, k => k.Value.Eval(scope));
        return callee switch
        {
            ItemExpr { Key: LiteralExpr } member when member.Key.Eval(scope) is string name =>
                JinjaBuiltins.CallMethod(member.Target.Eval(scope), name, args, kwargs),
            VariableExpr function when scope[function.Name] is Undefined => JinjaBuiltins.CallFunction(function.Name, args, kwargs),
            _ => throw new NotSupportedException("Chat templates can call only the built-in functions and methods (see ChatTemplate)."),
        };
    }
}

internal sealed class FilterExpr(Expr value, string name, Arguments arguments) : Expr
{
    protected override object? Evaluate(Scope scope) => JinjaBuiltins.ApplyFilter(name, value.Eval(scope),
        arguments.Positional.Select(a => a.Eval(scope)).ToList(), arguments.Keyword.ToDictionary(k => k.Name, k => k.Value.Eval(scope)));
}

internal sealed class TestExpr(Expr value, string name, bool negated) : Expr
{
    protected override object? Evaluate(Scope scope) => JinjaBuiltins.Test(name, value.Eval(scope)) != negated;
}
