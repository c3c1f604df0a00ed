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
 * with mmap).
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

/* Symbols read per pread() while scanning a symbol table. */
#define SYM_CHUNK 512

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

static void decode_shdr(const unsigned char *b, struct elf_shdr *sh)
{
	sh->type = (uint32_t)LE(b, Elf64_Shdr, sh_type);
	sh->offset = LE(b, Elf64_Shdr, sh_offset);
	sh->size = LE(b, Elf64_Shdr, sh_size);
	sh->link = (uint32_t)LE(b, Elf64_Shdr, sh_link);
	sh->info = (uint32_t)LE(b, Elf64_Shdr, sh_info);
	sh->entsize = LE(b, Elf64_Shdr, sh_entsize);
}

/*
 * Reads the section header table into a malloc'd array of @*count
 * entries (caller frees).  Handles the extended numbering where e_shnum
 * is 0 and section 0 holds the real count.
 */
static int read_sections(const struct elf_file *f, const unsigned char *eh,
			 struct elf_shdr **out, uint64_t *count)
{
	uint64_t shoff = LE(eh, Elf64_Ehdr, e_shoff);
	uint64_t entsize = LE(eh, Elf64_Ehdr, e_shentsize);
	uint64_t n = LE(eh, Elf64_Ehdr, e_shnum);
	unsigned char b[sizeof(Elf64_Shdr)];
	struct elf_shdr *sh;
	int err;

	*out = NULL;
	*count = 0;
	if (!shoff)
		return 0;	/* no sections: nothing to search */
	if (entsize < sizeof(Elf64_Shdr))
		return corrupt(f, "bad section header size");
	if (n == 0) {
		err = read_at(f, shoff, b, sizeof(b), "section header 0");
		if (err < 0)
			return err;
		n = LE(b, Elf64_Shdr, sh_size);
	}
	if (n > f->size / entsize || !in_file(f, shoff, n * entsize))
		return corrupt(f, "section headers beyond the end");

	sh = calloc(n ? n : 1, sizeof(*sh));
	if (!sh)
		return ltr_error(ENOMEM, "out of memory");
	for (uint64_t i = 0; i < n; i++) {
		err = read_at(f, shoff + i * entsize, b, sizeof(b),
			      "section header");
		if (err < 0) {
			free(sh);
			return err;
		}
		decode_shdr(b, &sh[i]);
	}
	*out = sh;
	*count = n;
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

/*
 * Reads the version index of dynamic symbol @idx, from the SHT_GNU_versym
 * section @vs (2 bytes per symbol).  Returns true when the symbol is a
 * hidden (non-default) version such as "realpath@GLIBC_2.2.5", which a
 * plain name must not pick over the default one.
 */
static bool version_hidden(const struct elf_file *f,
			   const struct elf_shdr *vs, uint64_t idx)
{
	unsigned char b[2];

	/* the section's range was checked when it was picked */
	if (!vs || idx >= vs->size / 2 ||
	    read_at(f, vs->offset + idx * 2, b, 2, "symbol versions") < 0)
		return false;
	return le(b, 2) & 0x8000;
}

/*
 * Looks for a defined function called @symbol in the symbol table @st,
 * whose names are in section @st->link.  @versym is the dynamic symbol
 * version table, or NULL.
 */
static int scan_symtab(const struct elf_file *f, const struct elf_shdr *sh,
		       uint64_t nsh, const struct elf_shdr *st,
		       const struct elf_shdr *versym, const char *symbol,
		       struct sym_match *m)
{
	size_t symlen = strlen(symbol);
	const struct elf_shdr *strtab;
	unsigned char *syms = NULL;
	char *names = NULL;
	uint64_t nsyms;
	int err = 0;

	if (st->entsize < sizeof(Elf64_Sym) || st->link >= nsh)
		return corrupt(f, "bad symbol table header");
	strtab = &sh[st->link];
	if (strtab->type != SHT_STRTAB || !strtab->size ||
	    !in_file(f, strtab->offset, strtab->size) ||
	    !in_file(f, st->offset, st->size))
		return corrupt(f, "symbol table beyond the end");
	nsyms = st->size / st->entsize;
	if (!nsyms)
		return 0;

	names = malloc(strtab->size);
	/* at most st->size bytes, which is inside the file: no overflow */
	syms = malloc((nsyms < SYM_CHUNK ? nsyms : SYM_CHUNK) * st->entsize);
	if (!names || !syms) {
		err = ltr_error(ENOMEM, "out of memory");
		goto out_free;
	}
	err = read_at(f, strtab->offset, names, strtab->size, "string table");
	if (err < 0)
		goto out_free;

	for (uint64_t base = 0; base < nsyms; base += SYM_CHUNK) {
		uint64_t n = nsyms - base < SYM_CHUNK ? nsyms - base : SYM_CHUNK;

		err = read_at(f, st->offset + base * st->entsize, syms,
			      n * st->entsize, "symbol table");
		if (err < 0)
			goto out_free;
		for (uint64_t i = 0; i < n; i++) {
			const unsigned char *s = syms + i * st->entsize;
			uint64_t name = LE(s, Elf64_Sym, st_name);
			unsigned int info = LE(s, Elf64_Sym, st_info);
			uint64_t shndx = LE(s, Elf64_Sym, st_shndx);
			uint64_t value = LE(s, Elf64_Sym, st_value);
			int rank = 0;

			if (ELF64_ST_TYPE(info) != STT_FUNC ||
			    shndx == SHN_UNDEF || !value)
				continue;
			/* the name and its NUL must both be in the table */
			if (name >= strtab->size ||
			    strtab->size - name <= symlen ||
			    memcmp(names + name, symbol, symlen + 1))
				continue;
			if (ELF64_ST_BIND(info) == STB_GLOBAL ||
			    ELF64_ST_BIND(info) == STB_WEAK)
				rank += RANK_GLOBAL;
			if (!version_hidden(f, versym, base + i))
				rank += RANK_DEFAULT_VERSION;
			/* first of the best: static duplicates are ambiguous anyway */
			if (!m->found || rank > m->rank) {
				m->found = true;
				m->rank = rank;
				m->value = value;
			}
		}
	}

out_free:
	free(syms);
	free(names);
	return err;
}

/* Maps virtual address @vaddr to a file offset through the PT_LOAD headers. */
static int vaddr_to_offset(const struct elf_file *f, const unsigned char *eh,
			   const struct elf_shdr *sh, uint64_t nsh,
			   uint64_t vaddr, uint64_t *offset)
{
	uint64_t phoff = LE(eh, Elf64_Ehdr, e_phoff);
	uint64_t entsize = LE(eh, Elf64_Ehdr, e_phentsize);
	uint64_t n = LE(eh, Elf64_Ehdr, e_phnum);
	unsigned char b[sizeof(Elf64_Phdr)];

	/* more than 0xfffe headers: the count is in section 0 */
	if (n == PN_XNUM && nsh > 0)
		n = sh[0].info;
	if (!n || !phoff)
		return -ENOENT;
	if (entsize < sizeof(Elf64_Phdr) || n > f->size / entsize ||
	    !in_file(f, phoff, n * entsize))
		return corrupt(f, "program headers beyond the end");

	for (uint64_t i = 0; i < n; i++) {
		uint64_t p_offset, p_vaddr, p_filesz;
		int err;

		err = read_at(f, phoff + i * entsize, b, sizeof(b),
			      "program header");
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

/**
 * ltr_elf_symbol_offset - file offset of a function, for a uprobe
 * @path:   an ELF64 little-endian executable or shared library
 * @symbol: the function's name, exactly as in the symbol table
 * @offset: out: the offset in @path of the function's first instruction
 *
 * Looks in .symtab, then in .dynsym (stripped files keep only the
 * latter), for a defined STT_FUNC symbol, preferring a global one and,
 * in .dynsym, the default version; then converts its address to a file
 * offset with the PT_LOAD program header that contains it.
 *
 * Returns 0, or -ENOENT (no such file, or no such function in it; the
 * message names both), -ENOEXEC (not an ELF64 little-endian executable
 * or library, or corrupt), or another negative errno; errno is set too.
 * @offset is written only on success.
 */
int ltr_elf_symbol_offset(const char *path, const char *symbol,
			  uint64_t *offset)
{
	unsigned char eh[sizeof(Elf64_Ehdr)];
	struct elf_file f = { .fd = -1, .path = path };
	const struct elf_shdr *versym = NULL;
	struct elf_shdr *sh = NULL;
	struct sym_match m = { 0 };
	bool have_table = false;
	uint64_t nsh, off = 0;
	struct stat st;
	int err;

	if (!path || !symbol || !*symbol || !offset)
		return ltr_error(EINVAL, "no file or symbol given");
	f.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0) {
		if (errno == ENOENT)
			return ltr_error(ENOENT, "no such file '%s' (looking for function '%s')",
					 path, symbol);
		return ltr_error(errno, "cannot open '%s': %s", path,
				 strerror(errno));
	}
	if (fstat(f.fd, &st) < 0) {
		err = ltr_error(errno, "cannot stat '%s': %s", path,
				strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = ltr_error(ENOEXEC, "'%s' is not a regular file", path);
		goto out_close;
	}
	f.size = (uint64_t)st.st_size;
	if (f.size < sizeof(eh)) {
		/* too short even for the header: tell ELF from not-ELF */
		unsigned char magic[SELFMAG] = { 0 };

		if (f.size >= SELFMAG)
			read_at(&f, 0, magic, SELFMAG, "header");
		err = memcmp(magic, ELFMAG, SELFMAG) ?
			      ltr_error(ENOEXEC, "'%s' is not an ELF file", path) :
			      corrupt(&f, "shorter than the ELF header");
		goto out_close;
	}
	err = read_at(&f, 0, eh, sizeof(eh), "header");
	if (err < 0)
		goto out_close;
	err = check_header(&f, eh);
	if (err < 0)
		goto out_close;

	err = read_sections(&f, eh, &sh, &nsh);
	if (err < 0)
		goto out_close;
	for (uint64_t i = 0; i < nsh; i++)
		if (sh[i].type == SHT_GNU_versym && !versym &&
		    in_file(&f, sh[i].offset, sh[i].size))
			versym = &sh[i];

	/* the full table first; the dynamic one has only exported names */
	for (uint32_t want = SHT_SYMTAB;; want = SHT_DYNSYM) {
		for (uint64_t i = 0; i < nsh && !m.found; i++) {
			if (sh[i].type != want)
				continue;
			have_table = true;
			err = scan_symtab(&f, sh, nsh, &sh[i],
					  want == SHT_DYNSYM ? versym : NULL,
					  symbol, &m);
			if (err < 0)
				goto out_free;
		}
		if (m.found || want == SHT_DYNSYM)
			break;
	}
	if (!m.found) {
		err = ltr_error(ENOENT, "no function '%s' in '%s'%s", symbol,
				path, have_table ? "" : " (it has no symbol table)");
		goto out_free;
	}

	err = vaddr_to_offset(&f, eh, sh, nsh, m.value, &off);
	if (err == -ENOENT)
		err = ltr_error(ENOEXEC, "function '%s' in '%s' is at 0x%llx, outside every loadable segment",
				symbol, path, (unsigned long long)m.value);
	if (err < 0)
		goto out_free;
	*offset = off;

out_free:
	free(sh);
out_close:
	close(f.fd);
	if (err < 0)
		errno = -err;
	return err;
}
