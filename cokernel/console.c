// SPDX-License-Identifier: GPL-2.0
/*
 * The co-kernel's log: a printf into the channel's console ring, which
 * `cokctl console` reads from Linux.  Cores serialise with a spinlock in
 * the ring itself.
 */
#include "cokernel.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

static void put_number(struct out *o, uint64_t v, bool negative,
		       unsigned int base, int width, bool zero, bool alt)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (alt && base == 16) {
		put(o, '0');
		put(o, 'x');
		width -= 2;
	}
	if (negative) {
		if (zero)
			put(o, '-');
		width--;
	}
	while (width-- > n)
		put(o, zero ? '0' : ' ');
	if (negative && !zero)
		put(o, '-');
	while (n)
		put(o, tmp[--n]);
}

static uint64_t arg_unsigned(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int longs)
{
	if (longs)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

/* A subset of printf: %s %c %d %i %u %x %p %%, flags '0' '#', width, l/ll/z. */
int cok_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		bool zero = false, alt = false;
		int width = 0, longs = 0;
		int64_t sv;
		const char *s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; *fmt == '0' || *fmt == '#'; fmt++) {
			zero |= *fmt == '0';
			alt |= *fmt == '#';
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = arg_signed(&ap, longs);
			put_number(&o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv,
				   sv < 0, 10, width, zero, false);
			break;
		case 'u':
			put_number(&o, arg_unsigned(&ap, longs), false, 10,
				   width, zero, false);
			break;
		case 'x':
			put_number(&o, arg_unsigned(&ap, longs), false, 16,
				   width, zero, alt);
			break;
		case 'p':
			put_number(&o, (uint64_t)va_arg(ap, void *), false, 16,
				   width, zero, true);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's':
			s = va_arg(ap, const char *);
			for (s = s ? s : "(null)"; *s; s++)
				put(&o, *s);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

static void console_lock(struct cok_console *c)
{
	while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void console_unlock(struct cok_console *c)
{
	__atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
}

static void console_vprintf(const char *fmt, va_list ap)
{
	struct cok_console *c = &cok_channel->console;
	char line[256];
	int n = cok_vsnprintf(line, sizeof(line), fmt, ap);

	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	console_lock(c);
	cok_console_write(c, line, n);
	console_unlock(c);
}

void cok_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

/* Keep a panic's message in the core's slot, without its newline. */
static void keep_panic_msg(struct cok_core_slot *s, const char *fmt, va_list ap)
{
	int n = cok_vsnprintf(s->panic_msg, sizeof(s->panic_msg), fmt, ap);

	if (n >= (int)sizeof(s->panic_msg))
		n = sizeof(s->panic_msg) - 1;
	while (n > 0 && s->panic_msg[n - 1] == '\n')
		s->panic_msg[--n] = '\0';
}

/*
 * Report, keep the message for Linux (the module's watchdog shows it),
 * mark this core failed, and stop it for good (NMIs still count).
 */
__noreturn void cok_panic(const char *fmt, ...)
{
	struct cok_kcore *core = this_core();
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	if (core) {
		va_start(ap, fmt);
		keep_panic_msg(core->shared, fmt, ap);
		va_end(ap);
		cok_store_release(&core->shared->stage, COK_STAGE_FAILED);
	}
	for (;;) {
		irq_disable();
		__asm__ volatile("hlt");
	}
}
