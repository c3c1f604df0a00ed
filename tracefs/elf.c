// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Function symbol -> file offset, for uprobes.
 *
 * uprobe_events wants "<path>:<file offset>", so a symbol's virtual address
 * has to be mapped back through the program headers.  This is a small
 * reader of 64-bit little-endian ELF files rather than libelf: we need one
 * lookup, and one more run-time dependency is not worth it.  Every offset,
 * size and count comes from a file we do not trust, so each is checked
 * against the file size before it is used, and all reads go through
 * pread() (a file that shrinks under us gives a short read, not SIGBUS as
 * with mmap).  Nothing is read whole: the tables are read a few KiB at a
 * time, names through a window of the string table, so the memory a
 * lookup uses is the same for any file, a sparse one that claims a string
 * table of gigabytes included.  The file is opened without blocking and
 * must be a regular file: a FIFO or a device is refused at once.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* bytes of a table (headers, symbols) read at once */
#define TABLE_BUF 16384
/* bytes of a string table kept at once; no name is longer */
#define NAME_WINDOW 65536
/* an entry larger than this is no real table's */
#define MAX_ENTSIZE 4096

struct elf_file {
	int fd;
	uint64_t size;
	const char *path;
};

/* Decoded section header: only what the lookup uses. */
struct elf_shdr {
	uint32_t type;
	uint64_t offset;
	uint64_t size;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
};

/* A table of fixed-size entries, read TABLE_BUF bytes at a time. */
struct elf_table {
	const struct elf_file *f;
	const char *what;
	uint64_t off, entsize, n;
	uint64_t first, count;	/* the entries now in buf */
	unsigned char *buf;
};

/* A window on a string table. */
struct elf_names {
	const struct elf_file *f;
	uint64_t off, size;	/* the table, checked against the file */
	uint64_t start, len;	/* the window now in buf */
	unsigned char *buf;
};

static uint64_t le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

#define LE(buf, type, member) \
	le((buf) + offsetof(type, member), sizeof(((type *)0)->member))

/* Whether [off, off + len) lies inside the file, without overflow. */
static bool in_file(const struct elf_file *f, uint64_t off, uint64_t len)
{
	return off <= f->size && len <= f->size - off;
}

static int corrupt(const struct elf_file *f, const char *what)
{
	return ltr_error(ENOEXEC, "'%s' is a truncated or corrupt ELF file (%s)",
			 f->path, what);
}

/*
 * Reads exactly @len bytes at @off.  The range was checked against the
 * size at open; a short read means the file shrank since.
 */
static int read_at(const struct elf_file *f, uint64_t off, void *buf,
		   size_t len, const char *what)
{
	unsigned char *p = buf;

	if (!in_file(f, off, len))
		return corrupt(f, what);
	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ltr_error(errno, "cannot read '%s': %s", f->path,
					 strerror(errno));
		if (n == 0)
			return corrupt(f, what);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Sets @t over @n entries of @entsize bytes at @off, each at least
 * @minsize, all inside the file.  @buf holds TABLE_BUF bytes.
 */
static int table_init(struct elf_table *t, const struct elf_file *f,
		      uint64_t off, uint64_t entsize, uint64_t n,
		      size_t minsize, unsigned char *buf, const char *what)
{
	*t = (struct elf_table){ .f = f, .what = what, .off = off,
				 .entsize = entsize, .n = n, .buf = buf };
	if (!n)
		return 0;
	if (entsize < minsize || entsize > MAX_ENTSIZE ||
	    n > f->size / entsize || !in_file(f, off, n * entsize))
		return corrupt(f, what);
	return 0;
}

/*
 * The first byte of data at or after @pos: a sparse file's holes read as
 * zeros, and a run of zero symbols needs no reading.  @pos itself when
 * the file system cannot say.
 */
static uint64_t next_data(const struct elf_file *f, uint64_t pos)
{
	off_t d = lseek(f->fd, (off_t)pos, SEEK_DATA);

	if (d < 0)
		return errno == ENXIO ? f->size : pos;
	return (uint64_t)d > pos ? (uint64_t)d : pos;
}

/* Entry @i of @t in *@ent, valid until the next call on @t. */
static int table_get(struct elf_table *t, uint64_t i,
		     const unsigned char **ent)
{
	if (i >= t->n)
		return corrupt(t->f, t->what);
	if (i < t->first || i - t->first >= t->count) {
		uint64_t count = TABLE_BUF / t->entsize;
		int err;

		if (count > t->n - i)
			count = t->n - i;
		err = read_at(t->f, t->off + i * t->entsize, t->buf,
			      count * t->entsize, t->what);
		if (err < 0) {
			t->count = 0;
			return err;
		}
		t->first = i;
		t->count = count;
	}
	*ent = t->buf + (i - t->first) * t->entsize;
	return 0;
}

static int section_get(struct elf_table *secs, uint64_t i,
		       struct elf_shdr *sh)
{
	const unsigned char *b;
	int err = table_get(secs, i, &b);

	if (err < 0)
		return err;
	sh->type = (uint32_t)LE(b, Elf64_Shdr, sh_type);
	sh->offset = LE(b, Elf64_Shdr, sh_offset);
	sh->size = LE(b, Elf64_Shdr, sh_size);
	sh->link = (uint32_t)LE(b, Elf64_Shdr, sh_link);
	sh->info = (uint32_t)LE(b, Elf64_Shdr, sh_info);
	sh->entsize = LE(b, Elf64_Shdr, sh_entsize);
	return 0;
}

/*
 * Sets @secs over the section header table, with the extended numbering
 * where e_shnum is 0 and section 0 holds the real count.  No sections:
 * an empty table.
 */
static int sections_init(struct elf_table *secs, const struct elf_file *f,
			 const unsigned char *eh, unsigned char *buf)
{
	uint64_t shoff = LE(eh, Elf64_Ehdr, e_shoff);
	uint64_t entsize = LE(eh, Elf64_Ehdr, e_shentsize);
	uint64_t n = LE(eh, Elf64_Ehdr, e_shnum);
	struct elf_shdr first;
	int err;

	if (!shoff)
		n = 0;	/* no sections: nothing to search */
	else if (n == 0)
		n = 1;	/* section 0 only, to read the count from */
	err = table_init(secs, f, shoff, entsize, n, sizeof(Elf64_Shdr), buf,
			 "section headers beyond the end");
	if (err < 0 || !shoff || LE(eh, Elf64_Ehdr, e_shnum))
		return err;
	err = section_get(secs, 0, &first);
	if (err < 0)
		return err;
	return table_init(secs, f, shoff, entsize, first.size,
			  sizeof(Elf64_Shdr), buf,
			  "section headers beyond the end");
}

/*
 * Whether the NUL-terminated name at @name of the string table is
 * @symbol (@symlen bytes, below NAME_WINDOW); reads the window there when
 * it does not hold those bytes yet.
 */
static int name_is(struct elf_names *nm, uint64_t name, const char *symbol,
		   size_t symlen, bool *eq)
{
	*eq = false;
	/* the name and its NUL must both be in the table */
	if (name >= nm->size || nm->size - name <= symlen)
		return 0;
	if (name < nm->start || name + symlen + 1 > nm->start + nm->len) {
		uint64_t len = nm->size - name;
		int err;

		if (len > NAME_WINDOW)
			len = NAME_WINDOW;
		err = read_at(nm->f, nm->off + name, nm->buf, len,
			      "string table");
		if (err < 0) {
			nm->len = 0;
			return err;
		}
		nm->start = name;
		nm->len = len;
	}
	*eq = !memcmp(nm->buf + (name - nm->start), symbol, symlen + 1);
	return 0;
}

/* A candidate's preference: a global symbol, then the default version. */
enum {
	RANK_GLOBAL = 2,
	RANK_DEFAULT_VERSION = 1,
};

struct sym_match {
	bool found;
	int rank;
	uint64_t value;
};

/* What one lookup reads with: fixed buffers, whatever the file. */
struct elf_lookup {
	struct elf_file f;
	struct elf_table secs;
	struct elf_shdr versym;		/* type 0 when there is none */
	const char *symbol;
	size_t symlen;
	unsigned char *secbuf, *symbuf, *namebuf;
	struct sym_match m;
};

/*
 * Reads the version index of dynamic symbol @idx, from the SHT_GNU_versym
 * section (2 bytes per symbol).  Returns true when the symbol is a hidden
 * (non-default) version such as "realpath@GLIBC_2.2.5", which a plain name
 * must not pick over the default one.
 */
static bool version_hidden(const struct elf_lookup *l, uint64_t idx)
{
	const struct elf_shdr *vs = &l->versym;
	unsigned char b[2];

	/* the section's range was checked when it was picked */
	if (vs->type != SHT_GNU_versym || idx >= vs->size / 2 ||
	    read_at(&l->f, vs->offset + idx * 2, b, 2, "symbol versions") < 0)
		return false;
	return le(b, 2) & 0x8000;
}

/*
 * Looks for a defined function called l->symbol in the symbol table @st,
 * whose names are in section @st->link; @dynamic: .dynsym, whose symbols
 * have versions.
 */
static int scan_symtab(struct elf_lookup *l, const struct elf_shdr *st,
		       bool dynamic)
{
	const struct elf_file *f = &l->f;
	struct elf_names names = { .f = f, .buf = l->namebuf };
	struct elf_shdr strtab;
	struct elf_table syms;
	int err;

	if (st->entsize < sizeof(Elf64_Sym) || st->link >= l->secs.n)
		return corrupt(f, "bad symbol table header");
	err = section_get(&l->secs, st->link, &strtab);
	if (err < 0)
		return err;
	if (strtab.type != SHT_STRTAB || !strtab.size ||
	    !in_file(f, strtab.offset, strtab.size) ||
	    !in_file(f, st->offset, st->size))
		return corrupt(f, "symbol table beyond the end");
	names.off = strtab.offset;
	names.size = strtab.size;
	err = table_init(&syms, f, st->offset, st->entsize,
			 st->size / st->entsize, sizeof(Elf64_Sym), l->symbuf,
			 "symbol table");
	if (err < 0)
		return err;

	for (uint64_t i = 0; i < syms.n; i++) {
		const unsigned char *s;
		uint64_t name, shndx, value;
		unsigned int info;
		int rank = 0;
		bool eq;

		/* all-zero symbols (no type, no name) in a hole: skip them */
		if (i < syms.first || i - syms.first >= syms.count) {
			uint64_t pos = syms.off + i * syms.entsize;

			i = (next_data(f, pos) - syms.off) / syms.entsize;
			if (i >= syms.n)
				break;
		}
		err = table_get(&syms, i, &s);
		if (err < 0)
			return err;
		name = LE(s, Elf64_Sym, st_name);
		info = LE(s, Elf64_Sym, st_info);
		shndx = LE(s, Elf64_Sym, st_shndx);
		value = LE(s, Elf64_Sym, st_value);
		if (ELF64_ST_TYPE(info) != STT_FUNC || shndx == SHN_UNDEF ||
		    !value)
			continue;
		err = name_is(&names, name, l->symbol, l->symlen, &eq);
		if (err < 0)
			return err;
		if (!eq)
			continue;
		if (ELF64_ST_BIND(info) == STB_GLOBAL ||
		    ELF64_ST_BIND(info) == STB_WEAK)
			rank += RANK_GLOBAL;
		if (!dynamic || !version_hidden(l, i))
			rank += RANK_DEFAULT_VERSION;
		/* first of the best: static duplicates are ambiguous anyway */
		if (!l->m.found || rank > l->m.rank) {
			l->m.found = true;
			l->m.rank = rank;
			l->m.value = value;
		}
	}
	return 0;
}

/* Maps virtual address @vaddr to a file offset through the PT_LOAD headers. */
static int vaddr_to_offset(struct elf_lookup *l, const unsigned char *eh,
			   uint64_t vaddr, uint64_t *offset)
{
	const struct elf_file *f = &l->f;
	uint64_t phoff = LE(eh, Elf64_Ehdr, e_phoff);
	uint64_t n = LE(eh, Elf64_Ehdr, e_phnum);
	struct elf_table phdrs;
	int err;

	/* more than 0xfffe headers: the count is in section 0 */
	if (n == PN_XNUM && l->secs.n > 0) {
		struct elf_shdr first;

		err = section_get(&l->secs, 0, &first);
		if (err < 0)
			return err;
		n = first.info;
	}
	if (!n || !phoff)
		return -ENOENT;
	/* the symbol table's buffer is free again */
	err = table_init(&phdrs, f, phoff, LE(eh, Elf64_Ehdr, e_phentsize), n,
			 sizeof(Elf64_Phdr), l->symbuf,
			 "program headers beyond the end");
	if (err < 0)
		return err;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t p_offset, p_vaddr, p_filesz;
		const unsigned char *b;

		err = table_get(&phdrs, i, &b);
		if (err < 0)
			return err;
		if (LE(b, Elf64_Phdr, p_type) != PT_LOAD)
			continue;
		p_offset = LE(b, Elf64_Phdr, p_offset);
		p_vaddr = LE(b, Elf64_Phdr, p_vaddr);
		p_filesz = LE(b, Elf64_Phdr, p_filesz);
		/* code must be backed by the file, not in the bss part */
		if (vaddr < p_vaddr || vaddr - p_vaddr >= p_filesz)
			continue;
		if (!in_file(f, p_offset, vaddr - p_vaddr + 1))
			return corrupt(f, "segment beyond the end");
		*offset = vaddr - p_vaddr + p_offset;
		return 0;
	}
	return -ENOENT;
}

static int check_header(const struct elf_file *f, const unsigned char *eh)
{
	uint64_t type;

	if (memcmp(eh, ELFMAG, SELFMAG))
		return ltr_error(ENOEXEC, "'%s' is not an ELF file", f->path);
	if (eh[EI_CLASS] != ELFCLASS64)
		return ltr_error(ENOEXEC, "'%s' is not a 64-bit ELF file", f->path);
	if (eh[EI_DATA] != ELFDATA2LSB)
		return ltr_error(ENOEXEC, "'%s' is not a little-endian ELF file",
				 f->path);
	type = LE(eh, Elf64_Ehdr, e_type);
	if (type != ET_EXEC && type != ET_DYN)
		return ltr_error(ENOEXEC, "'%s' is not an executable or a shared library",
				 f->path);
	return 0;
}

/*
 * Opens @path without blocking (a FIFO would wait for a writer for ever)
 * and checks that it is a regular file.  Returns 0 or a negative errno.
 */
static int open_regular(struct elf_file *f, const char *symbol)
{
	struct stat st;
	int err;

	f->fd = open(f->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (f->fd < 0) {
		if (errno == ENOENT)
			return ltr_error(ENOENT, "no such file '%s' (looking for function '%s')",
					 f->path, symbol);
		return ltr_error(errno, "cannot open '%s': %s", f->path,
				 strerror(errno));
	}
	if (fstat(f->fd, &st) < 0)
		err = ltr_error(errno, "cannot stat '%s': %s", f->path,
				strerror(errno));
	else if (!S_ISREG(st.st_mode))
		err = ltr_error(ENOEXEC, "'%s' is not a regular file", f->path);
	else
		err = 0;
	if (err < 0) {
		close(f->fd);
		f->fd = -1;
		return err;
	}
	f->size = (uint64_t)st.st_size;
	return 0;
}

/* The header, once it is known to be one of an ELF64 LE program. */
static int read_header(const struct elf_file *f, unsigned char *eh)
{
	int err;

	if (f->size < sizeof(Elf64_Ehdr)) {
		/* too short even for the header: tell ELF from not-ELF */
		unsigned char magic[SELFMAG] = { 0 };

		if (f->size >= SELFMAG)
			read_at(f, 0, magic, SELFMAG, "header");
		return memcmp(magic, ELFMAG, SELFMAG) ?
			       ltr_error(ENOEXEC, "'%s' is not an ELF file", f->path) :
			       corrupt(f, "shorter than the ELF header");
	}
	err = read_at(f, 0, eh, sizeof(Elf64_Ehdr), "header");
	return err < 0 ? err : check_header(f, eh);
}

/* Scans .symtab, then .dynsym, until a match; then the versions. */
static int find_symbol(struct elf_lookup *l, bool *have_table)
{
	struct elf_shdr sh;
	int err;

	for (uint64_t i = 0; i < l->secs.n; i++) {
		err = section_get(&l->secs, i, &sh);
		if (err < 0)
			return err;
		if (sh.type == SHT_GNU_versym && !l->versym.type &&
		    in_file(&l->f, sh.offset, sh.size))
			l->versym = sh;
	}
	/* the full table first; the dynamic one has only exported names */
	for (uint32_t want = SHT_SYMTAB;; want = SHT_DYNSYM) {
		for (uint64_t i = 0; i < l->secs.n && !l->m.found; i++) {
			err = section_get(&l->secs, i, &sh);
			if (err < 0)
				return err;
			if (sh.type != want)
				continue;
			*have_table = true;
			err = scan_symtab(l, &sh, want == SHT_DYNSYM);
			if (err < 0)
				return err;
		}
		if (l->m.found || want == SHT_DYNSYM)
			return 0;
	}
}

/**
 * ltr_elf_symbol_offset - file offset of a function, for a uprobe
 * @path:   an ELF64 little-endian executable or shared library
 * @symbol: the function's name, exactly as in the symbol table
 * @offset: out: the offset in @path of the function's first instruction
 *
 * Looks in .symtab, then in .dynsym (stripped files keep only the
 * latter), for a defined STT_FUNC symbol, preferring a global one and,
 * in .dynsym, the default version; then converts its address to a file
 * offset with the PT_LOAD program header that contains it.  Uses about
 * 100 KiB whatever the file, and never blocks on a FIFO.
 *
 * Returns 0, or -ENOENT (no such file, or no such function in it; the
 * message names both), -ENOEXEC (not a regular file, not an ELF64
 * little-endian executable or library, or corrupt), or another negative
 * errno; errno is set too.  @offset is written only on success.
 */
int ltr_elf_symbol_offset(const char *path, const char *symbol,
			  uint64_t *offset)
{
	struct elf_lookup l = { .f = { .fd = -1, .path = path },
				.symbol = symbol };
	unsigned char eh[sizeof(Elf64_Ehdr)];
	bool have_table = false;
	uint64_t off = 0;
	int err;

	if (!path || !symbol || !*symbol || !offset)
		return ltr_error(EINVAL, "no file or symbol given");
	l.symlen = strlen(symbol);
	if (l.symlen >= NAME_WINDOW)
		return ltr_error(ENOENT, "no function '%.40s...' in '%s' (a name of %zu bytes)",
				 symbol, path, l.symlen);
	err = open_regular(&l.f, symbol);
	if (err < 0)
		return err;
	err = read_header(&l.f, eh);
	if (err < 0)
		goto out_close;

	l.secbuf = malloc(TABLE_BUF);
	l.symbuf = malloc(TABLE_BUF);
	l.namebuf = malloc(NAME_WINDOW);
	if (!l.secbuf || !l.symbuf || !l.namebuf) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_free;
	}
	err = sections_init(&l.secs, &l.f, eh, l.secbuf);
	if (err < 0)
		goto out_free;
	err = find_symbol(&l, &have_table);
	if (err < 0)
		goto out_free;
	if (!l.m.found) {
		err = ltr_error(ENOENT, "no function '%s' in '%s'%s", symbol,
				path, have_table ? "" : " (it has no symbol table)");
		goto out_free;
	}

	err = vaddr_to_offset(&l, eh, l.m.value, &off);
	if (err == -ENOENT)
		err = ltr_error(ENOEXEC, "function '%s' in '%s' is at 0x%llx, outside every loadable segment",
				symbol, path, (unsigned long long)l.m.value);
	if (err < 0)
		goto out_free;
	*offset = off;

out_free:
	free(l.namebuf);
	free(l.symbuf);
	free(l.secbuf);
out_close:
	close(l.f.fd);
	if (err < 0)
		errno = -err;
	return err;
}
