/* policy_default.S: the shop's own policy file, built into the program
 * byte for byte (codec layer); its SHA-256 is the default policy version. */
	.section .rodata
	.global ac_default_policy
	.global ac_default_policy_end
	.balign 16
ac_default_policy:
	.incbin "policy/shop.policy"
ac_default_policy_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
