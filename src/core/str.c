/* str.c: comparing borrowed string slices (core layer). */
#include "str.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static struct ac_str trim(struct ac_str s)
{
	while (s.n > 0 && is_space(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_space(s.p[s.n - 1]))
		s.n--;
	return s;
}

bool ac_str_eq_fold(struct ac_str a, struct ac_str b)
{
	a = trim(a);
	b = trim(b);
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

bool ac_str_eq_nospace_fold(struct ac_str a, struct ac_str b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a.n && is_space(a.p[i]))
			i++;
		while (j < b.n && is_space(b.p[j]))
			j++;
		if (i == a.n || j == b.n)
			return i == a.n && j == b.n;
		if (lower(a.p[i]) != lower(b.p[j]))
			return false;
		i++;
		j++;
	}
}
