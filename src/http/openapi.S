/* openapi.S: web/openapi.json, built into the program byte for byte (http
 * layer), served at GET /v1/openapi.json. Paths are relative to the
 * repository root, where make runs the assembler. */
	.section .rodata
	.global ac_openapi_json
	.global ac_openapi_json_end
ac_openapi_json:
	.incbin "web/openapi.json"
ac_openapi_json_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
